package org.sparkdl.collective;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins a collective whose ranks may share processes: ranks in one JVM reduce through shared
 * memory and only one of them per JVM talks TCP to the others (see {@link HierarchicalCollective}).
 *
 * <pre>{@code
 * try (TcpCollective.Listener listener = TcpCollective.listen(host)) {
 *   Endpoint me = new Endpoint(executorId + "@" + pid, listener.address());
 *   List<Endpoint> all = exchange(me);                         // e.g. BarrierTaskContext.allGather
 *   try (Collective c = Collectives.join(rank, all, listener, options)) { ... }
 * }
 * }</pre>
 */
public final class Collectives {
  private Collectives() {}

  /**
   * What a rank tells the others: the process (JVM) it runs in, and its listener's address.
   *
   * @param process names the JVM, unique among the ranks' JVMs and free of spaces
   * @param address {@code host:port} of the rank's {@link TcpCollective.Listener}
   */
  public record Endpoint(String process, String address) {
    public Endpoint {
      if (process.isEmpty() || process.contains(" ")) {
        throw new IllegalArgumentException("A process name must be non-empty and free of spaces, found '" + process + "'.");
      }
    }

    /** {@code "process address"}, for exchanging as a string. */
    public String encode() {
      return process + " " + address;
    }

    /** The inverse of {@link #encode()}. */
    public static Endpoint decode(String s) {
      int space = s.indexOf(' ');
      if (space <= 0) {
        throw new IllegalArgumentException("'" + s + "' is not an encoded endpoint (process, a space, host:port).");
      }
      return new Endpoint(s.substring(0, space), s.substring(space + 1));
    }
  }

  /**
   * Connects rank {@code rank} of {@code all.size()}: groups the ranks by process; the lowest rank
   * of each process leads it and joins the TCP collective of the leaders through {@code
   * listener}, the others meet their leader in memory. Closing the result closes what it joined;
   * the listener stays the caller's.
   *
   * @throws CollectiveException when a leader cannot reach the others in time
   */
  public static Collective join(int rank, List<Endpoint> all, TcpCollective.Listener listener, TcpCollective.Options options) {
    if (rank < 0 || rank >= all.size()) {
      throw new IllegalArgumentException("Rank " + rank + " is outside [0, " + all.size() + ").");
    }
    Map<String, List<Integer>> byProcess = new LinkedHashMap<>();
    for (int r = 0; r < all.size(); r++) {
      byProcess.computeIfAbsent(all.get(r).process(), p -> new ArrayList<>()).add(r);
    }
    String process = all.get(rank).process();
    List<String> leaderAddresses = new ArrayList<>();
    int leaderRank = -1;
    int jvm = -1;
    for (Map.Entry<String, List<Integer>> e : byProcess.entrySet()) {
      if (e.getKey().equals(process)) {
        jvm = leaderAddresses.size();
      }
      if (e.getValue().get(0) == rank) {
        leaderRank = leaderAddresses.size();
      }
      leaderAddresses.add(all.get(e.getValue().get(0)).address());
    }
    int[] mine = byProcess.get(process).stream().mapToInt(Integer::intValue).toArray();
    LocalGroup group = LocalGroup.of(options.token() + "|" + process + "|" + all.size(), mine);
    TcpCollective leaders = null;
    if (leaderRank >= 0 && leaderAddresses.size() > 1) {
      try {
        leaders = listener.join(leaderRank, leaderAddresses, options);
      } catch (RuntimeException e) {
        group.leave(group.indexOf(rank), 0);
        throw e;
      }
    }
    return new HierarchicalCollective(rank, all.size(), group, leaders, byProcess.size(), jvm, options);
  }
}
