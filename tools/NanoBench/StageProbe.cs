// The allocator run on nanoCLR, stage by stage, at 64 chargers (the benchmark's app and states).
// Run: tools/NanoBench/probe.sh tools/NanoBench/StageProbe.cs
// Prints "stage NAME ns": the best of 100 timings of each stage in a run's order (so each is the
// undisturbed time of that stage; their sum is below a whole run's), the best single whole run,
// and the Distributor's and the app's tick without a run; then the best single run with chargers that
// differ (metered, some 1-phase cars) and current left over. nanoCLR only (not part of NanoBench.csproj).
using System;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Allocation.Stages;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;
using ChargeManager.Distribution.Phases;
using ChargeManager.NanoBench;
namespace ChargeManager.NanoBench.Probes {
  public static class StageProbe {
    static long T() { return DateTime.UtcNow.Ticks; }
    static string[] names = {"Demand","Rotation","Welcome","Overload","Activation","PhaseUp","Minimums","Fairly","LeftOvers","Wakeup","LeftOversAll","Balance","Explain"};
    static void Stage(AllocationRun run, int s) {
      switch (s) {
        case 0: DemandStage.Run(run); break; case 1: RotationStage.Run(run); break; case 2: WelcomeChargeStage.Run(run); break;
        case 3: OverloadStage.Run(run); break; case 4: ActivationStage.Run(run); break; case 5: PhaseUpgradeStage.Run(run); break;
        case 6: ShareStage.GrantMinimums(run); break; case 7: ShareStage.ShareFairly(run); break; case 8: ShareStage.GrantLeftOvers(run, false); break;
        case 9: WakeupStage.Run(run); break; case 10: ShareStage.GrantLeftOvers(run, true); break; case 11: BalanceStage.Run(run); break; case 12: ExplainStage.Run(run); break; } }
    public static void Main() {
      int n = 64;
      var c = BenchScripts.NewConfig(n); var nothing = new BenchScripts.Nothing(); var app = new ChargeManagerApp(nothing, nothing, nothing, c, 0);
      long now = 0;
      for (int t = 0; t < 200; t++) { now += 50; if (t % 20 == 0) BenchScripts.States(app, now); app.Tick(now, -1); }
      Distributor d = app.Group;
      const int R = 20;
      // whole run
      long best = long.MaxValue;
      for (int k = 0; k < 100; k++) { long t0 = T(); d.Allocator.Run(16000 * n, 16000 * n, 16000 * n, now, -1); long t1 = T(); if (t1 - t0 < best) best = t1 - t0; }
      Console.WriteLine("stage run " + (best * 100) + "ns");
      var run = new AllocationRun(d.Config, d.Observations, d.Allocations);
      for (int p = 0; p < 4; p++) { run.Limit[p] = p == 0 ? Phase.Unlimited : 16000 * n; run.AdmissionLimit[p] = run.Limit[p]; }
      run.NowMs = now;
      long[] sbest = new long[13]; for (int s = 0; s < 13; s++) sbest[s] = long.MaxValue;
      for (int b = 0; b < 5; b++) {
        for (int k = 0; k < R; k++) {
          for (int p = 0; p < 4; p++) run.Remaining[p] = run.Limit[p];
          for (int s = 0; s < 13; s++) { long t0 = T(); Stage(run, s); long t1 = T(); if (t1 - t0 < sbest[s]) sbest[s] = t1 - t0; }
        }
      }
      long sum = 0;
      for (int s = 0; s < 13; s++) { Console.WriteLine("stage " + names[s] + " " + (sbest[s] * 100) + "ns"); sum += sbest[s] * 100; }
      Console.WriteLine("stage sum " + sum + "ns");
      // distributor tick without run
      best = long.MaxValue;
      for (int b = 0; b < 5; b++) { long t0 = T(); for (int k = 0; k < 100; k++) { now += 50; d.Scheduler.Ran(now); d.Tick(now, -1); } long t1 = T(); if (t1 - t0 < best) best = t1 - t0; }
      Console.WriteLine("stage distributorTick " + (best * 100 / 100) + "ns");
      best = long.MaxValue;
      for (int b = 0; b < 5; b++) { long t0 = T(); for (int k = 0; k < 100; k++) { now += 50; d.Scheduler.Ran(now); app.Tick(now, -1); } long t1 = T(); if (t1 - t0 < best) best = t1 - t0; }
      Console.WriteLine("stage appTick " + (best * 100 / 100) + "ns");
      // Chargers that differ, with current left over: metered requests of 7..25 A (4..22 A measured + 3 A), limit 20 A per charger.
      BenchScripts.Varied = true;
      var app2 = new ChargeManagerApp(nothing, nothing, nothing, c, 0); now = 0;
      for (int t = 0; t < 2000; t++) { now += 50; if (t % 20 == 0) BenchScripts.States(app2, now); app2.Tick(now, -1); }
      best = long.MaxValue;
      for (int k = 0; k < 100; k++) { long t0 = T(); app2.Group.Allocator.Run(20000 * n, 20000 * n, 20000 * n, now, -1); long t1 = T(); if (t1 - t0 < best) best = t1 - t0; }
      Console.WriteLine("stage varied run " + (best * 100) + "ns");
      Console.WriteLine("stage done");
    } } }
