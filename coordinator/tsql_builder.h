// T-SQL text for the statements vdibackup issues, with SQL Server quoting rules.
#ifndef VDIBK_COORDINATOR_TSQL_BUILDER_H_
#define VDIBK_COORDINATOR_TSQL_BUILDER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vdibk::coordinator {

// [name] with every ']' doubled.
std::string QuoteIdentifier(const std::string& name);
// N'text' with every '\'' doubled.
std::string QuoteString(const std::string& text);

struct BackupStatementSpec {
  std::string database;
  std::vector<std::string> device_names;  // first = set name
  uint32_t buffer_count = 0;
  uint32_t max_transfer_size = 0;
  uint32_t block_size = 0;
  bool checksum = true;
};

// BACKUP DATABASE [db] TO VIRTUAL_DEVICE=N'set', ... WITH BUFFERCOUNT=..., MAXTRANSFERSIZE=...,
// BLOCKSIZE=..., CHECKSUM|NO_CHECKSUM
std::string BuildBackupStatement(const BackupStatementSpec& spec);

struct RestoreStatementSpec {
  std::string database;                   // the target database name
  std::vector<std::string> device_names;  // first = set name
  uint32_t block_size = 0;
  uint32_t max_transfer_size = 0;
  std::vector<std::pair<std::string, std::string>> moves;  // logical name -> path
  bool replace = false;
  bool norecovery = false;
};

// RESTORE DATABASE [db] FROM VIRTUAL_DEVICE=N'set', ... WITH BLOCKSIZE=..., MAXTRANSFERSIZE=...,
// MOVE N'logical' TO N'path', ..., REPLACE, NORECOVERY
std::string BuildRestoreStatement(const RestoreStatementSpec& spec);

}  // namespace vdibk::coordinator

#endif  // VDIBK_COORDINATOR_TSQL_BUILDER_H_
