// Where a constructed and ticked ChargeManagerApp's heap goes on nanoCLR, at 1 and 64 chargers.
// Run: tools/NanoBench/probe.sh tools/NanoBench/PartsProbe.cs   (nanoCLR only; not part of NanoBench.csproj)
// Each "part" is the heap freed when that part is dropped from the ticked app (so a part shared with
// another part counts with neither), or, for parts the app holds read-only, a fresh one of the same size.
using System;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;
using ChargeManager.NanoBench;
namespace ChargeManager.Distribution.Api {
  public sealed partial class ChargeManagerApp {
    static long H() { return -(long)nanoFramework.Runtime.Native.GC.Run(false); }
    static object keep;
    static long Fresh(int what) {
      long b = H();
      if (what == 0) keep = new JsonWriter(4096); else if (what == 1) keep = new EventLog(100); else if (what == 2) keep = new JsonParser();
      else if (what == 3) keep = new AllocatorConfig();
      long r = H() - b; keep = null; return r; }
    // Destructive: drops each part in turn (the app is unusable afterwards).
    public void ProbeParts(string n, long total, long before) {
      string s = "part " + n + " total=" + total.ToString();
      long b = H(); Link = null; loggedLink = null; long a = H(); s += " link=" + (b - a).ToString();
      b = a; loggedCurrent = null; loggedPhases = null; loggedError = null; loggedUid = null; loggedUncontrolled = null; a = H(); s += " loggedArrays=" + (b - a).ToString();
      b = a; Config = null; a = H(); s += " config=" + (b - a).ToString();
      b = a; Users = null; a = H(); s += " users=" + (b - a).ToString();
      b = a; LowLevel = null; a = H(); s += " lowLevel=" + (b - a).ToString();
      b = a; Settings.Network = null; Settings.Ntp = null; Settings.Board = null; a = H(); s += " settingsObjects=" + (b - a).ToString();
      b = a; History.Limit = History.Allocated = History.Measured = null; History.Charger = null; a = H(); s += " historyArrays=" + (b - a).ToString();
      b = a; Group = null; History.Record(new Distributor(allocator, 1), 0); a = H(); s += " group=" + (b - a).ToString() + " rest=" + (a - before).ToString();
      s += " responseBuffer=" + Response.Buffer.Length.ToString();
      s += " freshWriter4096=" + Fresh(0).ToString() + " freshLog=" + Fresh(1).ToString() + " freshParser=" + Fresh(2).ToString() + " freshAllocatorConfig=" + Fresh(3).ToString();
      Console.WriteLine(s); }
  } }
namespace ChargeManager.NanoBench.Probes {
  public static class PartsProbe {
    static long H() { return -(long)nanoFramework.Runtime.Native.GC.Run(false); }
    static void One(int n) {
      long before = H();
      var app = BenchScripts.NewApp(n);
      long constructed = H() - before;
      Console.WriteLine("part " + n.ToString() + " constructed=" + constructed.ToString());
      long now = 0;
      for (int t = 0; t < 1000; t++) { now += 50; if (t % 20 == 0) BenchScripts.States(app, now); app.Tick(now, -1); }
      Console.WriteLine("part " + n.ToString() + " ticked=" + (H() - before).ToString());
      app.Response.Reset(); app.Handle("GET", "/charge_manager/state", null, 0, now);
      app.ProbeParts(n.ToString() + " served", H() - before, before);
      app = null; }
    public static void Main() { One(1); One(1); One(64); Console.WriteLine("part done"); } } }
