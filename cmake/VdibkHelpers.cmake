# Build helpers: one place for warnings, sanitizers and the library/test functions every folder uses.
include_guard(GLOBAL)

# vdibk_add_library(NAME SRCS a.cc b.cc DEPS x y [PUBLIC_INCLUDE dir])
function(vdibk_add_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PUBLIC_INCLUDE" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${ARG_PUBLIC_INCLUDE})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# vdibk_add_test(NAME SRCS a_test.cc DEPS lib [LABELS unit])
function(vdibk_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} vdibk_test_harness GTest::gtest GTest::gmock
                        GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if("sanitize" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY VDIBK_SANITIZE_TESTS ${name})
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # gtest_discover_tests cannot pass a list property through, so the labels are joined into
  # one label ("unit_sanitize"); ctest -L takes a regex, so `-L sanitize` and `-L unit` both work.
  string(REPLACE ";" "_" labels "${ARG_LABELS}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${labels}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
