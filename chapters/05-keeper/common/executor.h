// generated from final/common/executor.h; edit there
// common/executor.h — where background work runs: a seam, like the clock and the disk.
//
// Some work must not run on the thread that serves clients because it waits on the disk
// for a long time: fsyncing a sealed 1 GiB segment, writing checkpoint files, building a
// compacted copy of a segment. The code that needs it hands a job to an Executor and
// later looks at the job's result on its own thread; it never creates threads itself.
//
// Three executors, one contract — jobs run one at a time, in the order they were
// submitted, and drain() returns once every job submitted before it has run:
//   ThreadExecutor  one background thread (the broker).
//   InlineExecutor  runs each job inside submit() (command-line tools, simple tests).
//   ManualExecutor  holds jobs until the caller runs them (the seeded simulator and
//                   tests), so a crash can land before, between or after them — the
//                   moments a real machine can crash in.
// FIFO order is part of the contract: a later job may rely on an earlier one having
// finished (a checkpoint that names a segment written durable by the job before it).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace streamcraft {

class Executor {
 public:
  using Job = std::function<void()>;
  virtual ~Executor() = default;
  // Runs `job` once, after every job submitted before it. The job must not touch
  // objects that the submitting thread may change meanwhile: give it what it needs
  // (shared file handles, copied bytes) and let it report back through shared state.
  virtual void submit(Job job) = 0;
  // Returns once every job submitted so far has run.
  virtual void drain() = 0;
};

// Runs every job inside submit(): work happens where it is asked for, as if there were no
// background at all.
class InlineExecutor final : public Executor {
 public:
  void submit(Job job) override { job(); }
  void drain() override {}
};

// Holds jobs until run_next() / run_all(); drain() runs them all.
class ManualExecutor final : public Executor {
 public:
  void submit(Job job) override { jobs_.push_back(std::move(job)); }
  void drain() override { run_all(); }
  // Runs the oldest waiting job; false if there is none.
  bool run_next();
  void run_all();
  std::size_t pending() const { return jobs_.size(); }
  // A crash: the process that would have run these jobs is gone.
  void discard() { jobs_.clear(); }

 private:
  std::deque<Job> jobs_;
};

// One background thread running jobs in order. The destructor runs what is still queued
// and joins the thread, so no job outlives the objects its owner destroys after it.
class ThreadExecutor final : public Executor {
 public:
  ThreadExecutor();
  ~ThreadExecutor() override;
  ThreadExecutor(const ThreadExecutor&) = delete;
  ThreadExecutor& operator=(const ThreadExecutor&) = delete;

  void submit(Job job) override;
  void drain() override;

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  bool running_job_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace streamcraft
