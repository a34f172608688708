// task_scheduler.cpp — intrusive task FIFO and the now-queue + timed-heap scheduler shared by
// the event loop backends (and the testing loop).
#include <awsio/tracing.hpp>
#include "io/task_scheduler.hpp"

#include <cassert>
#include <limits>

namespace awsio::detail {

// ---------------------------------------------------------------------------------------------
// task_list

task_list::~task_list() {
    // A list that dies with tasks linked must not leave them pointing at it.
    while (pop_front() != nullptr) {
    }
}

void run_task(task &t, task_status status) {
    const char *tag = t.type_tag();
    const void *id = &t;
    trace(trace_kind::task_run_begin, tag, id, status == task_status::canceled ? 1 : 0);
    t.run(status);
    trace(trace_kind::task_run_end, tag, id); // t may be gone: only its address is reported
}

void task_list::push_back(task &t, std::uint64_t timestamp) noexcept {
    assert(t.list_ == nullptr && "task is already in a list");
    t.timestamp_ = timestamp;
    t.list_ = this;
    t.next_ = nullptr;
    t.prev_ = tail_;
    if (tail_ != nullptr) {
        tail_->next_ = &t;
    } else {
        head_ = &t;
    }
    tail_ = &t;
    t.scheduled_ = true;
    ++size_;
}

task *task_list::pop_front() noexcept {
    task *t = head_;
    if (t != nullptr) {
        remove(*t);
    }
    return t;
}

void task_list::remove(task &t) noexcept {
    assert(t.list_ == this);
    if (t.prev_ != nullptr) {
        t.prev_->next_ = t.next_;
    } else {
        head_ = t.next_;
    }
    if (t.next_ != nullptr) {
        t.next_->prev_ = t.prev_;
    } else {
        tail_ = t.prev_;
    }
    t.prev_ = nullptr;
    t.next_ = nullptr;
    t.list_ = nullptr;
    t.scheduled_ = false;
    --size_;
}

void task_list::splice_back(task_list &other) noexcept {
    if (&other == this || other.empty()) {
        return;
    }
    // Ownership is recorded per task, so re-tag them; callers run every one of them anyway.
    for (task *t = other.head_; t != nullptr; t = t->next_) {
        t->list_ = this;
    }
    if (tail_ != nullptr) {
        tail_->next_ = other.head_;
        other.head_->prev_ = tail_;
    } else {
        head_ = other.head_;
    }
    tail_ = other.tail_;
    size_ += other.size_;
    other.head_ = nullptr;
    other.tail_ = nullptr;
    other.size_ = 0;
}

// ---------------------------------------------------------------------------------------------
// task_scheduler

task_scheduler::~task_scheduler() { clean_up(); }

void task_scheduler::schedule_now(task &t) noexcept {
    assert(!t.scheduled_ && "task scheduled twice");
    now_queue_.push_back(t, 0);
}

void task_scheduler::schedule_future(task &t, std::uint64_t time_ns) {
    assert(!t.scheduled_ && "task scheduled twice");
    t.timestamp_ = time_ns;
    // The sequence number keeps tasks due at the same time in the order they were scheduled,
    // which a binary heap alone would not.
    t.sequence_ = next_sequence_++;
    heap_push(t);
}

bool task_scheduler::contains(const task &t) const noexcept {
    if (now_queue_.contains(t) || running_.contains(t)) {
        return true;
    }
    return t.heap_index_ < heap_.size() && heap_[t.heap_index_] == &t;
}

bool task_scheduler::cancel(task &t) {
    if (now_queue_.contains(t)) {
        now_queue_.remove(t);
    } else if (running_.contains(t)) {
        running_.remove(t);
    } else if (t.heap_index_ < heap_.size() && heap_[t.heap_index_] == &t) {
        heap_remove(t);
    } else {
        return false;
    }
    run_task(t, task_status::canceled);
    return true;
}

bool task_scheduler::has_tasks() const noexcept {
    return !now_queue_.empty() || !running_.empty() || !heap_.empty();
}

std::optional<std::uint64_t> task_scheduler::next_task_time() const noexcept {
    if (!now_queue_.empty() || !running_.empty()) {
        return 0;
    }
    if (!heap_.empty()) {
        return heap_.front()->timestamp_;
    }
    return std::nullopt;
}

void task_scheduler::run_all(std::uint64_t now) { run_all_with(now, task_status::run_ready); }

void task_scheduler::clean_up() {
    // Canceled tasks may schedule more tasks; keep going until nothing is left.
    while (has_tasks()) {
        run_all_with(std::numeric_limits<std::uint64_t>::max(), task_status::canceled);
    }
}

void task_scheduler::run_all_with(std::uint64_t now, task_status status) {
    // Snapshot first: anything scheduled by the tasks below lands in now_queue_/heap_ and
    // waits for the next call, so a task rescheduling itself cannot starve the loop.
    running_.splice_back(now_queue_);
    while (!heap_.empty() && heap_.front()->timestamp_ <= now) {
        task *t = heap_pop();
        running_.push_back(*t, t->timestamp_);
    }
    // pop_front marks the task unscheduled before it runs, so it may schedule itself again;
    // nothing touches the task after run() returns (it may have been freed).
    while (task *t = running_.pop_front()) {
        run_task(*t, status);
    }
}

bool task_scheduler::earlier(const task *a, const task *b) noexcept {
    if (a->timestamp_ != b->timestamp_) {
        return a->timestamp_ < b->timestamp_;
    }
    return a->sequence_ < b->sequence_;
}

void task_scheduler::heap_place(std::size_t index, task *t) noexcept {
    heap_[index] = t;
    t->heap_index_ = index;
}

void task_scheduler::heap_push(task &t) {
    heap_.push_back(&t);
    t.heap_index_ = heap_.size() - 1;
    t.scheduled_ = true;
    sift_up(t.heap_index_);
}

task *task_scheduler::heap_pop() noexcept {
    task *top = heap_.front();
    heap_remove(*top);
    return top;
}

void task_scheduler::heap_remove(task &t) noexcept {
    const std::size_t index = t.heap_index_;
    task *last = heap_.back();
    heap_.pop_back();
    if (last != &t) {
        heap_place(index, last);
        // The replacement may belong above or below its new slot.
        sift_up(index);
        sift_down(last->heap_index_);
    }
    t.heap_index_ = task::no_index;
    t.scheduled_ = false;
}

void task_scheduler::sift_up(std::size_t index) noexcept {
    task *t = heap_[index];
    while (index > 0) {
        const std::size_t parent = (index - 1) / 2;
        if (!earlier(t, heap_[parent])) {
            break;
        }
        heap_place(index, heap_[parent]);
        index = parent;
    }
    heap_place(index, t);
}

void task_scheduler::sift_down(std::size_t index) noexcept {
    const std::size_t n = heap_.size();
    task *t = heap_[index];
    for (;;) {
        const std::size_t left = 2 * index + 1;
        if (left >= n) {
            break;
        }
        std::size_t child = left;
        if (left + 1 < n && earlier(heap_[left + 1], heap_[left])) {
            child = left + 1;
        }
        if (!earlier(heap_[child], t)) {
            break;
        }
        heap_place(index, heap_[child]);
        index = child;
    }
    heap_place(index, t);
}

} // namespace awsio::detail
