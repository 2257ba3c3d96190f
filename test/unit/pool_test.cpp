// pool_test.cpp: the thread pool behind asg_cpu_context.parallel_for (runtime/src/pool.c).
#include "internal.h"
#include "test_util.h"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

namespace {

/// A pool, closed at scope exit.
struct Pool {
  asgi_pool p;
  explicit Pool(int32_t threads) { asgi_pool_init(&p, threads); }
  ~Pool() { asgi_pool_close(&p); }
};

/// Counts how often each iteration runs and records the chunks and their threads.
struct Coverage {
  std::vector<std::atomic<int>> hits;
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::set<pthread_t> threads;
  explicit Coverage(int64_t n) : hits(static_cast<size_t>(n)) {}
  static void body(void *captures, int64_t begin, int64_t end) {
    auto *c = static_cast<Coverage *>(captures);
    for (int64_t i = begin; i < end; i++) c->hits[static_cast<size_t>(i)]++;
    std::lock_guard<std::mutex> lock(c->mu);
    c->chunks.emplace_back(begin, end);
    c->threads.insert(pthread_self());
  }
};

/// An outer loop whose iterations each run an inner parallel_for on the same pool.
struct Nested {
  asgi_pool *pool;
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> inner_chunks;
  std::vector<bool> same_thread;
  struct Inner {
    Nested *outer;
    pthread_t thread;
  };
  static void inner(void *captures, int64_t begin, int64_t end) {
    auto *in = static_cast<Inner *>(captures);
    std::lock_guard<std::mutex> lock(in->outer->mu);
    in->outer->inner_chunks.emplace_back(begin, end);
    in->outer->same_thread.push_back(pthread_equal(in->thread, pthread_self()) != 0);
  }
  static void outer(void *captures, int64_t begin, int64_t end) {
    auto *o = static_cast<Nested *>(captures);
    for (int64_t i = begin; i < end; i++) {
      Inner in{o, pthread_self()};
      asgi_pool_run(o->pool, inner, &in, 5);
    }
  }
};

}  // namespace

TEST_CASE("pool: chunks cover [0, n) exactly once for every thread cap", "[pool]") {
  for (int32_t threads : {1, 2, 3, 8}) {
    Pool pool(threads);
    for (int64_t n : {1, 2, 3, 7, 64, 1000, 100003}) {
      INFO("threads " << threads << ", n " << n);
      Coverage c(n);
      asgi_pool_run(&pool.p, Coverage::body, &c, n);
      for (int64_t i = 0; i < n; i++) REQUIRE(c.hits[static_cast<size_t>(i)] == 1);
      for (auto [b, e] : c.chunks) CHECK(b < e);
      // Never more threads than the cap or than iterations.
      CHECK(static_cast<int64_t>(c.threads.size()) <= std::min<int64_t>(threads, n));
    }
    CHECK(pool.p.num_workers <= threads - 1);
  }
}

TEST_CASE("pool: workers start lazily, at most cap - 1 of them, and are joined at close", "[pool]") {
  Pool pool(3);
  CHECK(pool.p.cap == 3);
  CHECK(pool.p.num_workers == 0);
  Coverage one(1);
  asgi_pool_run(&pool.p, Coverage::body, &one, 1);  // one iteration: no worker needed
  CHECK(pool.p.num_workers == 0);
  Coverage two(2);
  asgi_pool_run(&pool.p, Coverage::body, &two, 2);  // two iterations: one worker
  CHECK(pool.p.num_workers == 1);
  Coverage many(100);
  asgi_pool_run(&pool.p, Coverage::body, &many, 100);
  CHECK(pool.p.num_workers == 2);
  CHECK(pool.p.max_threads_used == 3);
  asgi_pool_close(&pool.p);
  CHECK(pool.p.num_workers == 0);
  // A closed pool starts workers again.
  Coverage again(10);
  asgi_pool_run(&pool.p, Coverage::body, &again, 10);
  for (int i = 0; i < 10; i++) CHECK(again.hits[static_cast<size_t>(i)] == 1);
  CHECK(pool.p.num_workers == 2);
}

TEST_CASE("pool: threads 1 runs the whole range on the caller", "[pool]") {
  Pool pool(1);
  Coverage c(1000);
  asgi_pool_run(&pool.p, Coverage::body, &c, 1000);
  REQUIRE(c.chunks.size() == 1);
  CHECK(c.chunks[0] == std::make_pair<int64_t, int64_t>(0, 1000));
  REQUIRE(c.threads.size() == 1);
  CHECK(pthread_equal(*c.threads.begin(), pthread_self()));
  CHECK(pool.p.num_workers == 0);
}

TEST_CASE("pool: a parallel_for inside a loop body runs serially on its thread", "[pool]") {
  Pool pool(4);
  Nested o;
  o.pool = &pool.p;
  asgi_pool_run(&pool.p, Nested::outer, &o, 40);
  REQUIRE(o.inner_chunks.size() == 40);  // one chunk per inner loop: [0, 5)
  for (auto [b, e] : o.inner_chunks) CHECK((b == 0 && e == 5));
  for (bool same : o.same_thread) CHECK(same);
}

namespace {
/// Records the chunks only (for ranges too large to count per iteration).
struct Ranges {
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  static void body(void *captures, int64_t begin, int64_t end) {
    auto *r = static_cast<Ranges *>(captures);
    std::lock_guard<std::mutex> lock(r->mu);
    r->chunks.emplace_back(begin, end);
  }
};
}  // namespace

TEST_CASE("pool: chunks of a huge range tile it without overflow", "[pool]") {
  Pool pool(3);
  for (int64_t n : {INT64_MAX, (int64_t)1 << 62, ((int64_t)1 << 40) + 7}) {
    Ranges r;
    asgi_pool_run(&pool.p, Ranges::body, &r, n);
    std::sort(r.chunks.begin(), r.chunks.end());
    REQUIRE(!r.chunks.empty());
    CHECK(r.chunks.front().first == 0);
    CHECK(r.chunks.back().second == n);
    for (size_t i = 0; i < r.chunks.size(); i++) {
      CHECK(r.chunks[i].first < r.chunks[i].second);
      if (i > 0) CHECK(r.chunks[i].first == r.chunks[i - 1].second);
    }
  }
}

TEST_CASE("pool: no iterations, no call", "[pool]") {
  Pool pool(2);
  Coverage c(1);
  asgi_pool_run(&pool.p, Coverage::body, &c, 0);
  asgi_pool_run(&pool.p, Coverage::body, &c, -3);
  CHECK(c.chunks.empty());
}

namespace {
int g_creates_allowed = 0;
/// pthread_create that fails (EAGAIN, as at a thread limit) after g_creates_allowed threads.
int limitedCreate(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
  if (g_creates_allowed <= 0) return EAGAIN;
  g_creates_allowed--;
  return pthread_create(thread, attr, start, arg);
}
}  // namespace

TEST_CASE("pool: when threads cannot be created, loops run with the workers there are", "[pool]") {
  for (int allowed : {0, 1}) {
    INFO("pthread_create succeeds " << allowed << " times");
    Pool pool(4);
    g_creates_allowed = allowed;
    pool.p.create_thread = limitedCreate;
    for (int64_t n : {1000, 5000}) {
      Coverage c(n);
      asgi_pool_run(&pool.p, Coverage::body, &c, n);
      for (int64_t i = 0; i < n; i++) REQUIRE(c.hits[static_cast<size_t>(i)] == 1);
      CHECK(static_cast<int>(c.threads.size()) <= 1 + allowed);
    }
    CHECK(pool.p.num_workers == allowed);
    CHECK(pool.p.create_failed);
  }
}

TEST_CASE("pool: the session option threads sets the cap (0: the online cores)", "[pool]") {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  CHECK(asgi_pool_cap(0) == (cores < 1 ? 1 : cores > ASGI_POOL_MAX_THREADS ? ASGI_POOL_MAX_THREADS : cores));
  CHECK(asgi_pool_cap(3) == 3);
  CHECK(asgi_pool_cap(1 << 20) == ASGI_POOL_MAX_THREADS);
}
