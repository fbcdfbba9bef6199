#include "node/admission.h"

#include <algorithm>

namespace pledger::node {

AdmissionGate::AdmissionGate(Options o) : opt_(o), limit_(static_cast<double>(o.initial_limit)) {
  limit_ = std::clamp(limit_, static_cast<double>(opt_.min_limit), static_cast<double>(opt_.max_limit));
}

bool AdmissionGate::Allow(size_t in_flight) {
  if (!enabled()) return true;
  std::lock_guard<std::mutex> lock(mu_);
  peak_in_flight_ = std::max(peak_in_flight_, in_flight + 1);
  if (static_cast<double>(in_flight) < limit_) return true;
  ++refused_;
  return false;
}

void AdmissionGate::OnCommitted(Clock::time_point now, Clock::duration shortest_wait) {
  if (!enabled()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (window_start_ == Clock::time_point{}) window_start_ = now;
  window_shortest_ = std::min(window_shortest_, shortest_wait);
  if (now - window_start_ < opt_.interval) return;
  last_shortest_us_ = std::chrono::duration_cast<std::chrono::microseconds>(window_shortest_).count();
  best_ = std::min(best_, window_shortest_);
  const Clock::duration threshold = std::max<Clock::duration>(opt_.target, 2 * best_);
  if (window_shortest_ > threshold) {
    limit_ *= 0.8;
  } else if (static_cast<double>(peak_in_flight_) * 2 > limit_) {
    limit_ = limit_ * 1.1 + 1;
  }
  limit_ = std::clamp(limit_, static_cast<double>(opt_.min_limit), static_cast<double>(opt_.max_limit));
  window_start_ = now;
  window_shortest_ = Clock::duration::max();
  peak_in_flight_ = 0;
}

size_t AdmissionGate::limit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<size_t>(limit_);
}

std::uint64_t AdmissionGate::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

std::int64_t AdmissionGate::last_shortest_wait_us() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_shortest_us_;
}

}  // namespace pledger::node
