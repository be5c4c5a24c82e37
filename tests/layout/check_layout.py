#!/usr/bin/env python3
"""The tree's layout rules (coordinator/README.md): which folder may include which, one README of
at most 15 lines per coordinator and agent folder, no two source files of one name, no folder
of tests that is not built, and the generated pipeline types (envelope, control, data .pb.h) only
in shared/transport (its codec), proto/ and tests/.

Usage: check_layout.py REPO_ROOT. Prints every violation and exits 1 if there is one."""
import os
import re
import sys

# folder -> the project folders its files may include (besides itself). A folder not listed
# here but below coordinator/ or agent/ is a violation: add it with its rule.
RULES = {
    'coordinator/sql': {'shared/base'},
    'coordinator/repo': {'coordinator/sql', 'shared/base', 'shared/stripe', 'shared/s3', 'proto'},
    'coordinator/progress': {'shared/base', 'shared/transport'},
    'coordinator/pipeline': {'coordinator/sql', 'coordinator/repo', 'coordinator/progress',
                             'shared/base', 'shared/stripe', 'shared/transport', 'shared/vdi',
                             'proto'},
    'coordinator/doctor': {'coordinator/sql', 'shared/base', 'shared/vdi'},
    'coordinator/cli': {'coordinator/sql', 'coordinator/repo', 'coordinator/progress',
                        'coordinator/pipeline', 'coordinator/doctor', 'agent/config',
                        'shared/base', 'shared/stripe', 'shared/transport', 'proto'},
    'coordinator': {'coordinator/cli', 'agent', 'shared/base'},  # main.cc
    'agent': {'agent/config', 'coordinator/doctor', 'coordinator/sql', 'shared/base',
              'shared/transport', 'proto'},
    'agent/config': {'shared/base'},
}
# Folders that must never include these (the programs and libraries below the coordinator).
NEVER = {
    'shared': ('coordinator/', 'agent/', 'workers/', 'emulator/'),
    'workers': ('coordinator/', 'agent/', 'emulator/'),
    'emulator': ('coordinator/', 'agent/', 'workers/'),
}
# File names several programs have on purpose.
SHARED_NAMES = {'main.cc', 'CMakeLists.txt', 'README.md'}
SOURCE_DIRS = ('coordinator', 'agent', 'workers', 'shared', 'emulator')
# The pipeline protocol's generated headers: programs use shared/transport's domain messages
# (pipeline_messages.h); only its codec converts (proto/README.md).
PIPELINE_PB = ('proto/envelope.pb.h', 'proto/control.pb.h', 'proto/data.pb.h')
PIPELINE_PB_FOLDERS = ('shared/transport', 'proto', 'tests')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
README_MAX_LINES = 15


def include_folder(path):
    """The project folder an include names ("coordinator/repo/x.h" -> "coordinator/repo")."""
    parts = path.split('/')
    if parts[0] in ('coordinator', 'agent', 'shared') and len(parts) > 2:
        return '/'.join(parts[:2])
    return parts[0] if len(parts) > 1 else None


def pipeline_pb_includes(root):
    """Sources anywhere in the tree (build directories aside) outside PIPELINE_PB_FOLDERS that
    include a generated pipeline header."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = [d for d in dirnames if not d.startswith(('build', '.'))
                       and os.path.normpath(os.path.join(rel_dir, d)) not in PIPELINE_PB_FOLDERS]
        for name in filenames:
            if not name.endswith(('.h', '.cc', '.cpp', '.hpp')):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, name))
            with open(os.path.join(dirpath, name), encoding='utf-8', errors='replace') as f:
                for inc in INCLUDE.findall(f.read()):
                    if inc in PIPELINE_PB:
                        problems.append(f'{rel}: includes {inc}: generated pipeline types only in '
                                        + ', '.join(PIPELINE_PB_FOLDERS)
                                        + ' (use shared/transport/pipeline_messages.h)')
    return problems


def main(root):
    problems = []
    names = {}
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if d != 'build']
            rel_dir = os.path.relpath(dirpath, root)
            sources = [f for f in filenames if f.endswith(('.h', '.cc'))]
            if top in ('coordinator', 'agent') and sources:
                if rel_dir not in RULES:
                    problems.append(f'{rel_dir}: a folder without an include rule in {__file__}')
                readme = os.path.join(dirpath, 'README.md')
                if not os.path.isfile(readme):
                    problems.append(f'{rel_dir}: no README.md')
                elif rel_dir != 'coordinator':
                    with open(readme, encoding='utf-8') as f:
                        n = sum(1 for _ in f)
                    if n > README_MAX_LINES:
                        problems.append(f'{rel_dir}/README.md: {n} lines (at most {README_MAX_LINES})')
            for name in sources:
                rel = os.path.join(rel_dir, name)
                if name not in SHARED_NAMES:
                    names.setdefault(name, []).append(rel)
                with open(os.path.join(dirpath, name), encoding='utf-8', errors='replace') as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    folder = include_folder(inc)
                    if folder is None or folder == rel_dir:
                        continue
                    if top in NEVER and inc.startswith(NEVER[top]):
                        problems.append(f'{rel}: includes {inc} ({top}/ never includes it)')
                    rule = RULES.get(rel_dir)
                    if rule is not None and folder.startswith(('coordinator', 'agent', 'shared',
                                                               'proto', 'workers', 'emulator')):
                        if folder not in rule:
                            problems.append(f'{rel}: includes {inc}, but {rel_dir} may include only '
                                            + ', '.join(sorted(rule)))
    problems += pipeline_pb_includes(root)
    # Every folder of unit tests with test sources is built (a missing CMakeLists.txt drops them).
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, 'tests')):
        dirnames[:] = [d for d in dirnames if d not in ('build', 'corpus', 'regressions')]
        if any(f.endswith('_test.cc') for f in filenames) and 'CMakeLists.txt' not in filenames:
            problems.append(f'{os.path.relpath(dirpath, root)}: tests without a CMakeLists.txt')
    for name, places in sorted(names.items()):
        if len(places) > 1:
            problems.append(f'{name}: one file name for several files: ' + ', '.join(sorted(places)))
    for p in problems:
        print(p)
    print(f'layout: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
