#include "tools/audit/readonly_env.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <leveldb/status.h>

namespace pledger::tools::audit {
namespace {

// A file LevelDB wrote during this process: bytes in memory.
struct MemFile {
  std::mutex mu;
  std::string data;
};
using MemFilePtr = std::shared_ptr<MemFile>;

class MemSequentialFile final : public leveldb::SequentialFile {
 public:
  explicit MemSequentialFile(MemFilePtr f) : f_(std::move(f)) {}
  leveldb::Status Read(size_t n, leveldb::Slice* result, char* scratch) override {
    std::lock_guard<std::mutex> lock(f_->mu);
    size_t avail = pos_ < f_->data.size() ? f_->data.size() - pos_ : 0;
    n = std::min(n, avail);
    if (n > 0) std::memcpy(scratch, f_->data.data() + pos_, n);
    pos_ += n;
    *result = leveldb::Slice(scratch, n);
    return leveldb::Status::OK();
  }
  leveldb::Status Skip(uint64_t n) override {
    pos_ += static_cast<size_t>(n);
    return leveldb::Status::OK();
  }

 private:
  MemFilePtr f_;
  size_t pos_ = 0;
};

class MemRandomAccessFile final : public leveldb::RandomAccessFile {
 public:
  explicit MemRandomAccessFile(MemFilePtr f) : f_(std::move(f)) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    std::lock_guard<std::mutex> lock(f_->mu);
    if (offset > f_->data.size()) return leveldb::Status::IOError("read past the end of a file");
    n = std::min(n, f_->data.size() - static_cast<size_t>(offset));
    if (n > 0) std::memcpy(scratch, f_->data.data() + offset, n);
    *result = leveldb::Slice(scratch, n);
    return leveldb::Status::OK();
  }

 private:
  MemFilePtr f_;
};

class MemWritableFile final : public leveldb::WritableFile {
 public:
  explicit MemWritableFile(MemFilePtr f) : f_(std::move(f)) {}
  leveldb::Status Append(const leveldb::Slice& data) override {
    std::lock_guard<std::mutex> lock(f_->mu);
    f_->data.append(data.data(), data.size());
    return leveldb::Status::OK();
  }
  leveldb::Status Close() override { return leveldb::Status::OK(); }
  leveldb::Status Flush() override { return leveldb::Status::OK(); }
  leveldb::Status Sync() override { return leveldb::Status::OK(); }

 private:
  MemFilePtr f_;
};

class FdLock final : public leveldb::FileLock {
 public:
  explicit FdLock(int fd) : fd_(fd) {}
  ~FdLock() override {
    if (fd_ >= 0) ::close(fd_);  // closing releases the fcntl lock
  }

 private:
  int fd_;
};

class NullLogger final : public leveldb::Logger {
 public:
  void Logv(const char*, std::va_list) override {}
};

class ReadOnlyEnv final : public leveldb::EnvWrapper {
 public:
  explicit ReadOnlyEnv(leveldb::Env* target) : EnvWrapper(target) {}

  leveldb::Status NewSequentialFile(const std::string& f, leveldb::SequentialFile** r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = mem_.find(f); it != mem_.end()) {
      *r = new MemSequentialFile(it->second);
      return leveldb::Status::OK();
    }
    if (deleted_.count(f)) return leveldb::Status::NotFound(f, "removed in the overlay");
    return target()->NewSequentialFile(f, r);
  }

  leveldb::Status NewRandomAccessFile(const std::string& f, leveldb::RandomAccessFile** r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = mem_.find(f); it != mem_.end()) {
      *r = new MemRandomAccessFile(it->second);
      return leveldb::Status::OK();
    }
    if (deleted_.count(f)) return leveldb::Status::NotFound(f, "removed in the overlay");
    return target()->NewRandomAccessFile(f, r);
  }

  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto file = std::make_shared<MemFile>();
    mem_[f] = file;
    deleted_.erase(f);
    *r = new MemWritableFile(file);
    return leveldb::Status::OK();
  }

  // LevelDB falls back to NewWritableFile (it appends only with reuse_logs).
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile**) override {
    return leveldb::Status::NotSupported(f, "read-only audit environment");
  }

  bool FileExists(const std::string& f) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (mem_.count(f)) return true;
    if (deleted_.count(f)) return false;
    return target()->FileExists(f);
  }

  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* out) override {
    std::vector<std::string> disk;
    leveldb::Status s = target()->GetChildren(dir, &disk);
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> names;
    if (s.ok()) {
      for (const auto& n : disk) {
        if (!deleted_.count(dir + "/" + n)) names.insert(n);
      }
    }
    const std::string prefix = dir + "/";
    for (const auto& [path, file] : mem_) {
      if (path.compare(0, prefix.size(), prefix) == 0 && path.find('/', prefix.size()) == std::string::npos) {
        names.insert(path.substr(prefix.size()));
      }
    }
    out->assign(names.begin(), names.end());
    return names.empty() ? s : leveldb::Status::OK();
  }

  leveldb::Status RemoveFile(const std::string& f) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (mem_.erase(f) > 0) return leveldb::Status::OK();
    if (deleted_.count(f) || !target()->FileExists(f)) return leveldb::Status::NotFound(f, "no such file");
    deleted_.insert(f);
    return leveldb::Status::OK();
  }
  leveldb::Status DeleteFile(const std::string& f) override { return RemoveFile(f); }

  leveldb::Status CreateDir(const std::string&) override { return leveldb::Status::OK(); }
  leveldb::Status RemoveDir(const std::string&) override { return leveldb::Status::OK(); }
  leveldb::Status DeleteDir(const std::string&) override { return leveldb::Status::OK(); }

  leveldb::Status GetFileSize(const std::string& f, uint64_t* size) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = mem_.find(f); it != mem_.end()) {
      std::lock_guard<std::mutex> flock(it->second->mu);
      *size = it->second->data.size();
      return leveldb::Status::OK();
    }
    if (deleted_.count(f)) return leveldb::Status::NotFound(f, "removed in the overlay");
    return target()->GetFileSize(f, size);
  }

  leveldb::Status RenameFile(const std::string& src, const std::string& dst) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = mem_.find(src); it != mem_.end()) {
      mem_[dst] = it->second;
      mem_.erase(src);
      deleted_.erase(dst);
      return leveldb::Status::OK();
    }
    if (deleted_.count(src)) return leveldb::Status::NotFound(src, "removed in the overlay");
    // A disk file: copy it into the overlay under the new name, hide the old.
    leveldb::SequentialFile* in = nullptr;
    leveldb::Status s = target()->NewSequentialFile(src, &in);
    if (!s.ok()) return s;
    std::unique_ptr<leveldb::SequentialFile> owned(in);
    auto file = std::make_shared<MemFile>();
    std::vector<char> buf(1 << 16);
    for (;;) {
      leveldb::Slice chunk;
      s = owned->Read(buf.size(), &chunk, buf.data());
      if (!s.ok()) return s;
      if (chunk.empty()) break;
      file->data.append(chunk.data(), chunk.size());
    }
    mem_[dst] = file;
    deleted_.erase(dst);
    deleted_.insert(src);
    return leveldb::Status::OK();
  }

  leveldb::Status LockFile(const std::string& f, leveldb::FileLock** lock) override {
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) {
        // LevelDB creates LOCK when it first opens a directory, so no process
        // can be holding a lock on a directory without one.
        *lock = new FdLock(-1);
        return leveldb::Status::OK();
      }
      return leveldb::Status::IOError("lock " + f, std::strerror(errno));
    }
    struct flock fl {};
    fl.l_type = F_RDLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &fl) != 0) {
      int err = errno;
      ::close(fd);
      return leveldb::Status::IOError("lock " + f + ": already held by process", std::strerror(err));
    }
    *lock = new FdLock(fd);
    return leveldb::Status::OK();
  }

  leveldb::Status UnlockFile(leveldb::FileLock* lock) override {
    delete lock;
    return leveldb::Status::OK();
  }

  leveldb::Status NewLogger(const std::string&, leveldb::Logger** result) override {
    *result = new NullLogger();
    return leveldb::Status::OK();
  }

 private:
  std::mutex mu_;
  std::map<std::string, MemFilePtr> mem_;  // guarded by mu_
  std::set<std::string> deleted_;          // guarded by mu_
};

}  // namespace

std::unique_ptr<leveldb::Env> NewReadOnlyEnv(leveldb::Env* target) {
  return std::make_unique<ReadOnlyEnv>(target);
}

std::unique_ptr<leveldb::Logger> NewNullLogger() { return std::make_unique<NullLogger>(); }

}  // namespace pledger::tools::audit
