// What crmd serves on /metrics: the node's view of the cluster in the Prometheus text
// exposition format (version 0.0.4), under ha_cluster_exporter's metric names, labels and
// value conventions, so that dashboards and alerts written for that exporter keep working,
// plus Pulse's own counters (pulse_*).
//
// Pure: no I/O, no clock, no threads. The caller gathers the facts (ClusterControl's snapshot
// and CIB read: metrics_server.h does it on its own thread) and this turns them into text.
//
// Invariants of the output:
//  * every family is written once, as "# HELP name text", "# TYPE name gauge|counter", then
//    its samples; a family without samples is left out entirely;
//  * one sample per series: a second sample with the same label values is dropped (the
//    first wins), so a damaged CIB (say, a resource id twice) never yields an exposition that
//    Prometheus rejects;
//  * label values and HELP texts are escaped (backslash, double quote, newline), so a node or
//    resource name chosen by an operator cannot break the format;
//  * values are integers where the fact is an integer; +Inf/-Inf as Prometheus spells them.
//
// Thread-safety: pure functions; no shared state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmd/admin/cluster_control.h"
#include "crmd/metrics/runtime_stats.h"
#include "policy-engine/policy_engine.h"

namespace pulse::crmd::metrics {

// The content type of the text format (what Prometheus asks for and accepts).
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Everything the node knows that the metrics show. Without a CIB and its view (the cluster
// does not run here, the CIB service did not answer, the engine refused the copy) the
// pacemaker families are left out.
struct MetricsFacts {
  ClusterSnapshot cluster;
  std::optional<std::string> cib_xml;  // this node's copy of the CIB
  // The engine's current view of cib_xml (from the node's CibViewCache, so a scrape with an
  // unchanged copy runs no engine); null: the engine refused the copy.
  std::shared_ptr<const pe::ClusterView> view;
  std::optional<membership::NodeId> dc;  // the DC of the installed view
  std::uint64_t cib_parses = 0;          // stats.pulse.cib.parses
  std::uint64_t status_engine_runs = 0;  // CibViewCache::engineRuns()
  // This process's own measurements (runtime_stats.h), shown while the cluster runs.
  std::uint64_t view_changes = 0;
  HistogramSnapshot detection;
  HistogramSnapshot cib_writes;
  std::vector<std::pair<std::string, HistogramSnapshot>> action_durations;  // by operation
};

// Copies `stats` into `facts` (the runtime fields above).
void addRuntimeStats(const RuntimeStats& stats, MetricsFacts& facts);

// The exposition text: always ends with a newline.
std::string renderMetrics(const MetricsFacts& facts);

// --- The format's building blocks, public for tests and for other families.

// A label value as the text format writes it between double quotes.
std::string escapeLabelValue(std::string_view value);
// A HELP text (backslash and newline escaped; double quotes stay).
std::string escapeHelp(std::string_view text);
// A sample value: integers without a decimal point, +Inf, -Inf, NaN, else shortest round-trip.
std::string formatValue(double value);

using Labels = std::vector<std::pair<std::string, std::string>>;

// One metric family being written.
class Family {
 public:
  Family(std::string name, std::string type, std::string help)
      : name_(std::move(name)), type_(std::move(type)), help_(std::move(help)) {}
  // Adds a sample; false (and nothing added) when a sample with these labels exists already.
  bool add(const Labels& labels, double value);
  // A histogram family's series: NAME_bucket{...,le="B"} for each bound and +Inf (cumulative),
  // NAME_sum and NAME_count; false when a series with these labels exists already.
  bool addHistogram(const Labels& labels, const HistogramSnapshot& histogram);
  // HELP, TYPE and the samples; empty when the family has no samples.
  std::string text() const;

 private:
  std::string name_, type_, help_;
  std::set<std::string> series_;  // "{a=\"x\",...}" of each sample written
  std::vector<std::string> lines_;
};

}  // namespace pulse::crmd::metrics
