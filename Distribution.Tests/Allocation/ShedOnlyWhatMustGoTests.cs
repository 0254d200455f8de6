using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Allocation;

public class ShedOnlyWhatMustGoTests
{
    readonly ITestOutputHelper output;
    public ShedOnlyWhatMustGoTests(ITestOutputHelper output) { this.output = output; }

    [Fact]
    public void ALowerLimitWhereOneMinimumFits_PausesOnlyOne()
    {
        var bench = new AllocatorBench(3, c => c.SetMinimums(true, 1, 6000, 6000));
        bench.Set(0, VehicleState.Charging, 3);
        bench.Set(2, VehicleState.Charging, 1);
        bench.Run(16000);
        for (long t = 0; t < 60_000; t += 5000) { bench.Advance(5000); bench.Run(16000); }
        bench.Set(1, VehicleState.Ready, 3);      // plugs in: welcome charge
        bench.Run(16000);
        for (long t = 0; t < 18_000; t += 5000) { bench.Advance(5000); bench.Run(16000); }
        for (int i = 0; i < 3; i++)
            output.WriteLine($"before {i}: {bench.Alloc[i].Current} mA {bench.Alloc[i].Phases}p {bench.Alloc[i].Reason}");
        bench.Advance(1000);
        bench.Run(14000);
        for (int i = 0; i < 3; i++)
            output.WriteLine($"after {i}: {bench.Alloc[i].Current} mA {bench.Alloc[i].Phases}p {bench.Alloc[i].Reason}");
        Assert.Equal(1, bench.Active());
    }

    /// <summary>The shape ShedSearchTests found: pausing the welcome 3p charge alone is enough; fairness order paused both 1p chargers.</summary>
    [Fact]
    public void TwoOnePhaseChargersOnOnePhaseAndAWelcomeCharge_OnlyTheWelcomeChargeIsPaused()
    {
        var bench = new AllocatorBench(3, c => c.SetMinimums(true, 1, 6000, 6000));
        bench.Set(0, VehicleState.Charging, 1, rotation: PhaseRotation.L312);
        bench.Set(1, VehicleState.Charging, 1, rotation: PhaseRotation.L312);
        bench.Run(32000);
        for (long t = 0; t < 60_000; t += 5000) { bench.Advance(5000); bench.Run(32000); }
        bench.Set(2, VehicleState.Ready, 3);      // plugs in: welcome charge, 9.2 A on three phases
        bench.Advance(1000);
        bench.Run(32000);
        Assert.Equal(AllocationReason.WelcomeCharge, bench.Alloc[2].Reason);
        Assert.Equal(3, bench.Active());
        bench.Advance(1000);
        bench.Run(15000);                          // L3: 6 + 6 + 9.2 A > 15 A; without the 3p one 12 A fits
        for (int i = 0; i < 3; i++)
            output.WriteLine($"after {i}: {bench.Alloc[i].Current} mA {bench.Alloc[i].Phases}p {bench.Alloc[i].Reason}");
        Assert.Equal(2, bench.Active());
        Assert.Equal(0, bench.Alloc[2].Phases);
        Assert.Equal(AllocationReason.PhaseOverload, bench.Alloc[2].Reason);
    }
}
