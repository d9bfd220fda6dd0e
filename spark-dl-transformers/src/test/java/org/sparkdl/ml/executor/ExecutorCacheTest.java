package org.sparkdl.ml.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The executor cache's lending rules: one holder per instance, reuse, eviction and the idle bound. */
class ExecutorCacheTest {
  /** A cached thing that counts its closes. */
  private static final class Thing implements AutoCloseable {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  private static String prefix() {
    return "test/" + UUID.randomUUID() + "/";
  }

  @Test
  void anInstanceGivenBackIsLentAgainAndConcurrentBorrowersGetTheirOwn() {
    String key = prefix() + "a";
    AtomicInteger created = new AtomicInteger();
    ExecutorCache.Lease<Thing> first = ExecutorCache.borrow(key, () -> {
      created.incrementAndGet();
      return new Thing();
    });
    ExecutorCache.Lease<Thing> second = ExecutorCache.borrow(key, Thing::new);
    assertNotSame(first.get(), second.get(), "two holders at once never share an instance");
    Thing kept = first.get();
    first.close();
    first.close(); // idempotent: given back once
    assertThrows(IllegalStateException.class, first::get);
    try (ExecutorCache.Lease<Thing> again = ExecutorCache.borrow(key, () -> {
      created.incrementAndGet();
      return new Thing();
    })) {
      assertSame(kept, again.get(), "the idle instance is reused, not rebuilt");
    }
    assertEquals(1, created.get());
    assertEquals(0, kept.closes.get(), "giving back does not close");
    Thing secondThing = second.get();
    second.discard();
    assertEquals(1, secondThing.closes.get(), "discard closes instead of giving back");
    ExecutorCache.evict(key);
  }

  @Test
  void evictClosesTheIdleInstancesOfAPrefixOnly() {
    String run = prefix();
    String other = prefix();
    List<Thing> things = new ArrayList<>();
    for (String key : List.of(run + "x", run + "y", other + "z")) {
      ExecutorCache.Lease<Thing> l = ExecutorCache.borrow(key, Thing::new);
      things.add(l.get());
      l.close();
    }
    ExecutorCache.evict(run);
    assertEquals(1, things.get(0).closes.get());
    assertEquals(1, things.get(1).closes.get());
    assertEquals(0, things.get(2).closes.get(), "another prefix's instance stays");
    ExecutorCache.evict(other);
    assertEquals(1, things.get(2).closes.get());
  }

  @Test
  void beyondTheIdleBoundTheOldestIdleInstancesAreClosed() throws InterruptedException {
    String run = prefix();
    List<Thing> things = new ArrayList<>();
    int n = ExecutorCache.MAX_IDLE + 3;
    for (int i = 0; i < n; i++) {
      ExecutorCache.Lease<Thing> l = ExecutorCache.borrow(run + i, Thing::new);
      things.add(l.get());
      l.close();
      Thread.sleep(2); // distinct idle times, so "oldest" is well defined
    }
    assertTrue(ExecutorCache.idleCount() <= ExecutorCache.MAX_IDLE);
    for (int i = 0; i < 3; i++) {
      assertEquals(1, things.get(i).closes.get(), "instance " + i + " was among the oldest");
    }
    for (int i = 3; i < n; i++) {
      assertEquals(0, things.get(i).closes.get(), "instance " + i + " is kept");
    }
    ExecutorCache.evict(run);
  }
}
