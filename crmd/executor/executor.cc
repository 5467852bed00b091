#include "crmd/executor/executor.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <system_error>
#include <thread>
#include <tuple>

namespace pulse::crmd {

std::string OperationResult::key() const {
  return resource + "_" + action + "_" + std::to_string(interval.count());
}

namespace {

using RecurringKey = std::tuple<std::string, std::string, long long>;

// A scheduled recurring monitor. Owned by Impl::recurring until cancelled; jobs and timer
// handlers refer to it so that a cancel is seen by runs already queued.
struct Recurring {
  Recurring(boost::asio::io_context& io, Operation o, Executor::Callback d)
      : op(std::move(o)), done(std::move(d)), timer(io) {}
  Operation op;
  Executor::Callback done;
  bool cancelled = false;
  std::optional<std::pair<ExecStatus, OcfCode>> last;  // the last result reported
  boost::asio::steady_timer timer;                     // the wait between two runs
  // The kill switch of its run in progress (null between runs): a cancel ends that run.
  std::shared_ptr<std::atomic<bool>> in_flight;
};

struct Job {
  Operation op;
  Executor::Callback done;               // one-shot operations only
  std::shared_ptr<Recurring> recurring;  // recurring ones only
};

// Invariant: at most one job per resource is running (running == true); the others wait.
struct ResourceQueue {
  bool running = false;
  std::deque<Job> waiting;
};

bool isActionWord(std::string_view action) {
  if (action.empty() || action.size() > 64) return false;
  for (char c : action) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

AgentCall toCall(const Operation& op, const std::string& ocf_root) {
  return AgentCall{ocf_root,    op.resource, op.agent,  op.action,
                   op.interval, op.timeout,  op.params, op.meta};
}

}  // namespace

struct Executor::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& i, Options o) : io(i), options(std::move(o)) {}

  boost::asio::io_context& io;
  const Options options;
  // Each running job's kill switch, read by its worker: true = kill your agent and return.
  std::map<std::uint64_t, std::shared_ptr<std::atomic<bool>>> kill_switches;
  std::map<std::string, ResourceQueue> queues;  // only resources with a running/waiting job
  std::map<RecurringKey, std::shared_ptr<Recurring>> recurring;
  std::map<std::uint64_t, std::thread> workers;  // one per running job, joined on completion
  std::uint64_t next_worker = 0;
  FailCounts fail_counts;

  void enqueue(Job job) {
    const std::string rsc = job.op.resource;
    queues[rsc].waiting.push_back(std::move(job));
    pump(rsc);
  }

  void pump(const std::string& rsc) {
    auto it = queues.find(rsc);
    if (it == queues.end() || it->second.running) return;
    auto& q = it->second;
    while (!q.waiting.empty() && q.waiting.front().recurring &&
           q.waiting.front().recurring->cancelled) {
      q.waiting.pop_front();
    }
    if (q.waiting.empty()) {
      queues.erase(it);
      return;
    }
    Job job = std::move(q.waiting.front());
    q.waiting.pop_front();
    q.running = true;
    start(std::move(job));
  }

  void start(Job job) {
    const std::uint64_t id = next_worker++;
    // Shared so that it is still ours if no thread can be started.
    auto shared_job = std::make_shared<Job>(std::move(job));
    AgentCall call = toCall(shared_job->op, options.ocf_root);
    std::weak_ptr<Impl> weak = weak_from_this();
    const std::size_t limit = options.output_limit;
    // Shared with the worker, so it outlives it whoever lets go first.
    auto kill = std::make_shared<std::atomic<bool>>(false);
    kill_switches.emplace(id, kill);
    if (shared_job->recurring) shared_job->recurring->in_flight = kill;
    boost::asio::io_context& ctx = io;
    // Outstanding work for the io_context while the agent runs, so that io_context::run()
    // does not return with a result still to come. Released after the post (which is work).
    auto work = boost::asio::make_work_guard(io);
    const auto complete = [weak, id, shared_job](AgentResult result) {
      if (auto self = weak.lock()) self->finished(id, std::move(*shared_job), std::move(result));
    };
    try {
      workers.emplace(id, std::thread([=, &ctx, work = std::move(work)]() mutable {
                        AgentResult result = runAgent(call, limit, kill.get());
                        boost::asio::post(ctx, [complete, result = std::move(result)]() mutable {
                          complete(std::move(result));
                        });
                        work.reset();
                      }));
    } catch (const std::system_error& e) {
      // No thread to be had (resource limits): the operation fails; the daemon goes on.
      AgentResult failed;
      failed.message = std::string("cannot start a worker thread: ") + e.what();
      boost::asio::post(
          io, [complete, failed = std::move(failed)]() mutable { complete(std::move(failed)); });
    }
  }

  void finished(std::uint64_t id, Job job, AgentResult agent_result) {
    if (auto w = workers.find(id); w != workers.end()) {
      w->second.join();  // it has posted us: its last act
      workers.erase(w);
    }
    kill_switches.erase(id);
    if (job.recurring) job.recurring->in_flight.reset();
    const std::string rsc = job.op.resource;
    queues[rsc].running = false;

    OperationResult result{rsc, job.op.action, job.op.interval, std::move(agent_result), false};
    result.failure = isFailure(job.op.action, job.op.interval, result.agent, job.op.expected);
    Callback report;
    if (job.recurring) {
      auto& rec = *job.recurring;
      if (!rec.cancelled) {
        const std::pair now{result.agent.status, result.agent.code};
        if (!rec.last || *rec.last != now) report = rec.done;
        rec.last = now;
        rearm(job.recurring);
      }
    } else {
      report = std::move(job.done);
    }
    // Counted when reported: an unchanged failing monitor is one failure, as in Pacemaker.
    if (report && result.failure) fail_counts.record(rsc, result.action, result.interval);
    pump(rsc);
    if (report) report(result);
  }

  void rearm(const std::shared_ptr<Recurring>& rec) {
    std::weak_ptr<Recurring> weak_rec = rec;
    std::weak_ptr<Impl> weak = weak_from_this();
    rec->timer.expires_after(rec->op.interval);
    rec->timer.async_wait([weak, weak_rec](const boost::system::error_code& ec) {
      auto self = weak.lock();
      auto r = weak_rec.lock();
      if (ec || !self || !r || r->cancelled) return;
      self->enqueue(Job{r->op, {}, r});
    });
  }

  // A run in progress is killed, as Pacemaker's executor does (services_action_cancel): its
  // result would go unreported anyway, and the operations queued behind it on the resource
  // (the demote or the notifications of a switchover, the stop of a recovery) would wait for
  // it. An agent must bear being killed mid-monitor: a timeout does the same.
  void cancelRecurring(std::map<RecurringKey, std::shared_ptr<Recurring>>::iterator it) {
    auto rec = it->second;
    rec->cancelled = true;
    rec->timer.cancel();
    if (rec->in_flight) rec->in_flight->store(true);
    recurring.erase(it);
    if (auto q = queues.find(rec->op.resource); q != queues.end()) {
      std::erase_if(q->second.waiting, [&](const Job& j) { return j.recurring == rec; });
      if (!q->second.running && q->second.waiting.empty()) queues.erase(q);
    }
  }
};

Executor::Executor(boost::asio::io_context& io, Options options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Executor::~Executor() {
  for (auto& [id, kill] : impl_->kill_switches) kill->store(true);
  for (auto& [id, worker] : impl_->workers) worker.join();
  for (auto& [key, rec] : impl_->recurring) {
    rec->cancelled = true;
    rec->timer.cancel();
  }
}

Status Executor::execute(Operation op, Callback done) {
  if (op.resource.empty()) return Error{"operation has no resource name"};
  if (!isActionWord(op.action)) {
    return Error{"resource " + op.resource + ": action '" + op.action.substr(0, 64) +
                 "' is not a valid action name"};
  }
  if (op.timeout.count() <= 0) {
    return Error{"resource " + op.resource + ": " + op.action + " timeout must be positive"};
  }
  if (op.interval.count() < 0 || (op.interval.count() > 0 && op.action != "monitor")) {
    return Error{"resource " + op.resource + ": only monitor may recur (" + op.action +
                 " with interval " + std::to_string(op.interval.count()) + " ms)"};
  }
  if (auto agent = checkAgentName(op.agent); !agent) return agent.error();
  if (auto env = buildOcfEnvironment(toCall(op, impl_->options.ocf_root)); !env) {
    return env.error();
  }
  if (op.action == "promote" || op.action == "demote") {
    // A role change ends the monitors of the role left. The engine cancels them first, but a
    // monitor it never heard of (started for a DC lost before it recorded the result) would
    // go on and report the new role as a failure: 'promoted' (8) from an Unpromoted monitor.
    // The engine schedules the new role's monitors after the role change.
    cancelAll(op.resource);
  }
  if (op.interval.count() == 0) {
    impl_->enqueue(Job{std::move(op), std::move(done), nullptr});
    return {};
  }
  RecurringKey key{op.resource, op.action, op.interval.count()};
  if (auto it = impl_->recurring.find(key); it != impl_->recurring.end()) {
    impl_->cancelRecurring(it);
  }
  auto rec = std::make_shared<Recurring>(impl_->io, op, std::move(done));
  impl_->recurring.emplace(key, rec);
  impl_->enqueue(Job{std::move(op), {}, rec});
  return {};
}

bool Executor::cancel(const std::string& resource, const std::string& action,
                      std::chrono::milliseconds interval) {
  auto it = impl_->recurring.find(RecurringKey{resource, action, interval.count()});
  if (it == impl_->recurring.end()) return false;
  impl_->cancelRecurring(it);
  return true;
}

std::size_t Executor::cancelAll(const std::string& resource) {
  std::size_t n = 0;
  auto it = impl_->recurring.lower_bound(RecurringKey{resource, "", 0});
  while (it != impl_->recurring.end() && std::get<0>(it->first) == resource) {
    auto next = std::next(it);
    impl_->cancelRecurring(it);
    it = next;
    ++n;
  }
  return n;
}

bool Executor::busy(const std::string& resource) const { return impl_->queues.contains(resource); }

const FailCounts& Executor::failCounts() const { return impl_->fail_counts; }

void Executor::clearFailCounts(const std::string& resource) { impl_->fail_counts.clear(resource); }

}  // namespace pulse::crmd
