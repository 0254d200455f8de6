using System.Diagnostics;

namespace ChargeManager.Simulation;

/// <summary>
/// Milliseconds since start, optionally running faster than real time, shared by a manager and its
/// simulated chargers so that tests over real sockets can cover 30 s timeouts in a few seconds.
/// </summary>
public sealed class ScaledClock(double speed = 1)
{
    readonly Stopwatch watch = Stopwatch.StartNew();
    public double Speed { get; } = speed;
    public long NowMs => (long)(watch.Elapsed.TotalMilliseconds * Speed);

    /// <summary>Sleeps for the real time that covers the given clock time (at least 1 ms).</summary>
    public void Sleep(long clockMs) => Thread.Sleep(Math.Max(1, (int)(clockMs / Speed)));
}
