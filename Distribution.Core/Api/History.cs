using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// The last hour of the group, for the web page's chart (charge_manager/history): every
    /// <see cref="IntervalMs"/> one sample of, per phase L1..L3, the limit, the allocated and the
    /// measured current, and per charger its commanded current. A fixed ring of primitive arrays
    /// (no objects per sample), so it fits nanoFramework's heap and costs nothing per tick. The hour
    /// is held within <see cref="BudgetBytes"/> however many chargers there are: samples every 10 s up
    /// to 10 chargers, and further apart as the group grows (<see cref="IntervalFor"/>: 30 s at 64);
    /// memory is Capacity × (2 × 9 + chargers) bytes, allocated once and again only when the number of
    /// chargers changes.
    /// Each sample covers its interval: the lowest limit and the highest allocated, measured and
    /// commanded currents seen in it, so a dip of the limit or a short peak is not lost between samples.
    /// The phases' values are held in units of <see cref="UnitMa"/> (100 mA), the chargers' in one byte
    /// each, in units of <see cref="ChargerUnitMa"/> (200 mA; a WARP takes at most 32 A) and served in
    /// 100 mA units like the rest; measured is -1 where no charger has a meter.
    /// Samples are evenly spaced: a tick that comes late fills the intervals it missed with what it saw,
    /// so only the newest sample's time is kept.
    /// </summary>
    public sealed class History
    {
        /// <summary>The shortest interval between samples (ms), used up to 10 chargers.</summary>
        public const int MinIntervalMs = 10000;
        public const int HourMs = 3600000;
        /// <summary>What the ring of one hour may take (bytes): 2 × 9 phase values and one byte per charger per sample.</summary>
        public const int BudgetBytes = 10240;
        public const int UnitMa = 100;
        /// <summary>The chargers' values are held in this unit (mA), one byte each: 0 to 51 A.</summary>
        public const int ChargerUnitMa = 200;

        int intervalMs = MinIntervalMs;
        int capacity = HourMs / MinIntervalMs;

        // [phase * Capacity + slot], phase 0..2 = L1..L3.
        // Allocated at the first Record, when the number of chargers (and so the spacing) is known.
        public short[] Limit = new short[0];
        public short[] Allocated = new short[0];
        public short[] Measured = new short[0];
        // [charger * Capacity + slot], in ChargerUnitMa
        public byte[] Charger = new byte[0];
        int chargers = -1;

        int count;     // samples held, up to Capacity
        int newest = -1; // slot of the newest sample
        long newestEndMs; // the end of the newest sample's interval (uptime, ms)

        // The interval being gathered.
        bool open;
        long openEndMs;
        readonly int[] minLimit = new int[3];
        readonly int[] maxAllocated = new int[3];
        readonly int[] maxMeasured = new int[3];
        int[] maxCharger = new int[0];

        // The measured sums per grid phase as last read from the observations, and what they were read for.
        object measuredOf;
        int measuredVersion;
        int measured1 = -1, measured2 = -1, measured3 = -1;

        public int Count { get { return count; } }
        public int Chargers { get { return chargers < 0 ? 0 : chargers; } }
        /// <summary>Milliseconds between samples (10 s up to 10 chargers, see <see cref="IntervalFor"/>).</summary>
        public int IntervalMs { get { return intervalMs; } }
        /// <summary>Samples held at most: one hour.</summary>
        public int Capacity { get { return capacity; } }

        /// <summary>Bytes the ring's arrays take (the payload; add the runtime's array headers).</summary>
        public int PayloadBytes { get { return capacity * (2 * 9 + Chargers) + 4 * (9 + Chargers); } }

        /// <summary>
        /// The interval (ms) that keeps one hour of samples for this many chargers within
        /// <see cref="BudgetBytes"/>: the shortest of 10 s, 15 s, 20 s, 30 s, 40 s, … (a divisor of an hour) that fits.
        /// </summary>
        public static int IntervalFor(int chargers)
        {
            for (int s = MinIntervalMs / 1000; s < HourMs / 1000; s += 5)
                if (HourMs / 1000 % s == 0 && HourMs / 1000 / s * (2 * 9 + chargers) <= BudgetBytes)
                    return s * 1000;
            return HourMs;
        }

        /// <summary>Every tick: takes in what the group does now; closes a sample every <see cref="IntervalMs"/>.</summary>
        public void Record(Distributor g, long nowMs)
        {
            measuredOf = null; // read the meters every time
            Record(g, nowMs, 0);
        }

        /// <summary>
        /// As <see cref="Record(Distributor, long)"/>, but the chargers' meters and wiring are read again only
        /// when <paramref name="measuredVersion"/> or the group differs from the last call: the caller
        /// changes it whenever an observation's line currents or rotation may have changed (the link's
        /// accepted states, a new wiring), which saves a pass over every charger on most ticks.
        /// </summary>
        public void Record(Distributor g, long nowMs, int measuredVersion)
        {
            if (g.Count != chargers)
                Resize(g.Count);
            if (!open)
            {
                open = true;
                openEndMs = (nowMs / intervalMs + 1) * intervalMs;
                Clear();
            }
            else if (nowMs >= openEndMs)
            {
                // Close the gathered interval, and any the ticks skipped (with the same values).
                long end = openEndMs;
                long pushes = (nowMs - openEndMs) / intervalMs + 1;
                if (pushes > capacity)
                {
                    end += (pushes - capacity) * intervalMs;
                    pushes = capacity;
                }
                for (int i = 0; i < pushes; i++)
                    Push(end + i * (long)intervalMs);
                openEndMs = end + pushes * intervalMs; // > nowMs
                Clear();
            }
            Gather(g, measuredVersion);
        }

        void Resize(int n)
        {
            chargers = n;
            Charger = new byte[0];
            int interval = IntervalFor(n);
            if (interval != intervalMs || Limit.Length == 0)
            {
                // Another spacing: the hour starts again.
                intervalMs = interval;
                capacity = HourMs / interval;
                Limit = Allocated = Measured = null; // the old arrays may go before the new ones need room
                Limit = new short[3 * capacity];
                Allocated = new short[3 * capacity];
                Measured = new short[3 * capacity];
                count = 0;
                newest = -1;
                open = false;
            }
            Charger = new byte[n * capacity];
            maxCharger = new int[n];
            measuredOf = null;
            // Older samples had other chargers: their per-charger values read as 0 from here on.
        }

        void Clear()
        {
            for (int p = 0; p < 3; p++)
            {
                minLimit[p] = int.MaxValue;
                maxAllocated[p] = 0;
                maxMeasured[p] = -1;
            }
            for (int i = 0; i < chargers; i++)
                maxCharger[i] = 0;
        }

        void Gather(Distributor g, int version)
        {
            int[] allocated = g.Allocator.Allocated;
            for (int p = 0; p < 3; p++)
            {
                int limit = g.Limit(Phase.L1 + p);
                if (limit < minLimit[p])
                    minLimit[p] = limit;
                if (allocated[Phase.L1 + p] > maxAllocated[p])
                    maxAllocated[p] = allocated[Phase.L1 + p];
            }
            int[] commanded = g.Guard.CommandedCurrent, max = maxCharger;
            for (int i = 0; i < max.Length; i++)
            {
                int c = commanded[i];
                if (c > max[i])
                    max[i] = c;
            }
            if (measuredOf != g || measuredVersion != version)
            {
                Measure(g);
                measuredOf = g;
                measuredVersion = version;
            }
            if (measured1 > maxMeasured[0]) maxMeasured[0] = measured1;
            if (measured2 > maxMeasured[1]) maxMeasured[1] = measured2;
            if (measured3 > maxMeasured[2]) maxMeasured[2] = measured3;
        }

        /// <summary>What the chargers' meters read, added up per grid phase (-1: no meter on any charger).</summary>
        void Measure(Distributor g)
        {
            int m1 = -1, m2 = -1, m3 = -1;
            for (int i = 0; i < chargers; i++)
            {
                ObservationTable o = g.ObservationTable;
                if (float.IsNaN(o.LineCurrent1[i]))
                    continue; // no meter
                int rotation = (int)o.Rotation[i];
                // P1, P2, P3 of the charger onto the grid's phases (unknown rotation counts as L123).
                int a = Milliamps(o.LineCurrent1[i]), b = Milliamps(o.LineCurrent2[i]), d = Milliamps(o.LineCurrent3[i]);
                int q1 = GridPhase(rotation, 0), q2 = GridPhase(rotation, 1), q3 = GridPhase(rotation, 2);
                m1 = Add(m1, q1 == 1 ? a : q2 == 1 ? b : d);
                m2 = Add(m2, q1 == 2 ? a : q2 == 2 ? b : d);
                m3 = Add(m3, q1 == 3 ? a : q2 == 3 ? b : d);
            }
            measured1 = m1;
            measured2 = m2;
            measured3 = m3;
        }

        static int Add(int sum, int value)
        {
            return (sum < 0 ? 0 : sum) + value;
        }

        static int Milliamps(float amps)
        {
            return float.IsNaN(amps) || amps <= 0 ? 0 : (int)(amps * 1000f);
        }

        /// <summary>Grid phase (1..3) of the charger's P1 (pin 0), P2 (1) or P3 (2) under WARP's rotation "rot".</summary>
        public static int GridPhase(int rotation, int pin)
        {
            // L123, L132, L231, L213, L321, L312 as digits; 0 (unknown) as L123.
            int digits;
            switch (rotation)
            {
                case 2: digits = 132; break;
                case 3: digits = 231; break;
                case 4: digits = 213; break;
                case 5: digits = 321; break;
                case 6: digits = 312; break;
                default: digits = 123; break;
            }
            return pin == 0 ? digits / 100 : pin == 1 ? digits / 10 % 10 : digits % 10;
        }

        void Push(long endMs)
        {
            newest = (newest + 1) % capacity;
            if (count < capacity)
                count++;
            newestEndMs = endMs;
            for (int p = 0; p < 3; p++)
            {
                int slot = p * capacity + newest;
                Limit[slot] = Units(minLimit[p] == int.MaxValue ? 0 : minLimit[p]);
                Allocated[slot] = Units(maxAllocated[p]);
                Measured[slot] = maxMeasured[p] < 0 ? (short)-1 : Units(maxMeasured[p]);
            }
            for (int i = 0; i < chargers; i++)
            {
                int u = (maxCharger[i] + ChargerUnitMa / 2) / ChargerUnitMa;
                Charger[i * capacity + newest] = (byte)(u > 255 ? 255 : u < 0 ? 0 : u);
            }
        }

        /// <summary>mA to 100 mA units, rounded, held within a short (3276.7 A is beyond any group: 64 × 32 A = 2048 A).</summary>
        static short Units(int ma)
        {
            int u = (ma + UnitMa / 2) / UnitMa;
            return (short)(u > short.MaxValue ? short.MaxValue : u < 0 ? 0 : u);
        }

        /// <summary>The sample <paramref name="age"/> intervals before the newest (0 = newest) of a phase series, in <see cref="UnitMa"/>.</summary>
        public int Value(short[] series, int row, int age)
        {
            int slot = (newest - age + capacity) % capacity;
            return series[row * capacity + slot];
        }

        /// <summary>Charger <paramref name="charger"/>'s commanded current <paramref name="age"/> intervals before the newest, in <see cref="UnitMa"/> as served.</summary>
        public int ChargerValue(int charger, int age)
        {
            int slot = (newest - age + capacity) % capacity;
            return Charger[charger * capacity + slot] * (ChargerUnitMa / UnitMa);
        }

        /// <summary>
        /// charge_manager/history: {"interval": s, "unit": mA, "uptime": ms now, "end": ms at the end of the
        /// newest sample, "count": n, "limit": [L1, L2, L3], "allocated": [...], "measured": [...],
        /// "chargers": [per charger in config order]}, each series oldest first and run-length coded as
        /// [value, repeat, value, repeat, ...] (a steady hour is a few numbers). Values × unit = mA.
        /// </summary>
        public void Write(JsonWriter w, long nowMs)
        {
            w.BeginObject()
                .Property("interval", intervalMs / 1000)
                .Property("unit", UnitMa)
                .Property("uptime", nowMs)
                .Property("end", count == 0 ? nowMs : newestEndMs)
                .Property("count", count);
            Series(w, "limit", Limit, 3);
            Series(w, "allocated", Allocated, 3);
            Series(w, "measured", Measured, 3);
            Series(w, "chargers", null, Chargers);
            w.EndObject();
        }

        /// <summary>A phase series, or with series null the chargers' (served in 100 mA units).</summary>
        void Series(JsonWriter w, string name, short[] series, int rows)
        {
            w.Name(name).BeginArray();
            for (int r = 0; r < rows; r++)
            {
                w.BeginArray();
                int run = 0, value = 0;
                for (int age = count - 1; age >= 0; age--)
                {
                    int v = series == null ? ChargerValue(r, age) : Value(series, r, age);
                    if (run > 0 && v != value)
                    {
                        w.Value(value).Value(run);
                        run = 0;
                    }
                    value = v;
                    run++;
                }
                if (run > 0)
                    w.Value(value).Value(run);
                w.EndArray();
            }
            w.EndArray();
        }
    }
}
