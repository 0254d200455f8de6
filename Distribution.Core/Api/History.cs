using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// The last hour of the group, for the web page's chart (charge_manager/history): every
    /// <see cref="IntervalMs"/> one sample of, per phase L1..L3, the limit, the allocated and the
    /// measured current, and per charger its commanded current. A fixed ring of primitive arrays
    /// (no objects per sample), so it fits nanoFramework's heap and costs nothing per tick: memory is
    /// 2 × <see cref="Capacity"/> × (9 + chargers) bytes, allocated once and again only when the
    /// number of chargers changes.
    /// Each sample covers its interval: the lowest limit and the highest allocated, measured and
    /// commanded currents seen in it, so a dip of the limit or a short peak is not lost between samples.
    /// Values are held in units of <see cref="UnitMa"/> (100 mA); measured is -1 where no charger has a meter.
    /// Samples are evenly spaced: a tick that comes late fills the intervals it missed with what it saw,
    /// so only the newest sample's time is kept.
    /// </summary>
    public sealed class History
    {
        public const int IntervalMs = 10000;
        /// <summary>One hour of 10 s samples.</summary>
        public const int Capacity = 360;
        public const int UnitMa = 100;

        // [phase * Capacity + slot], phase 0..2 = L1..L3.
        public readonly short[] Limit = new short[3 * Capacity];
        public readonly short[] Allocated = new short[3 * Capacity];
        public readonly short[] Measured = new short[3 * Capacity];
        // [charger * Capacity + slot]
        public short[] Charger = new short[0];
        int chargers;

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

        public int Count { get { return count; } }
        public int Chargers { get { return chargers; } }

        /// <summary>Bytes the ring's arrays take (the payload; add the runtime's array headers).</summary>
        public int PayloadBytes { get { return 2 * Capacity * (9 + chargers) + 4 * (9 + chargers); } }

        /// <summary>Every tick: takes in what the group does now; closes a sample every <see cref="IntervalMs"/>.</summary>
        public void Record(Distributor g, long nowMs)
        {
            if (g.Count != chargers)
                Resize(g.Count);
            if (!open)
            {
                open = true;
                openEndMs = (nowMs / IntervalMs + 1) * IntervalMs;
                Clear();
            }
            else if (nowMs >= openEndMs)
            {
                // Close the gathered interval, and any the ticks skipped (with the same values).
                long end = openEndMs;
                long pushes = (nowMs - openEndMs) / IntervalMs + 1;
                if (pushes > Capacity)
                {
                    end += (pushes - Capacity) * IntervalMs;
                    pushes = Capacity;
                }
                for (int i = 0; i < pushes; i++)
                    Push(end + i * (long)IntervalMs);
                openEndMs = end + pushes * IntervalMs; // > nowMs
                Clear();
            }
            Gather(g);
        }

        void Resize(int n)
        {
            chargers = n;
            Charger = new short[n * Capacity];
            maxCharger = new int[n];
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

        void Gather(Distributor g)
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
            int m1 = -1, m2 = -1, m3 = -1;
            for (int i = 0; i < chargers; i++)
            {
                int c = g.CommandedCurrent(i);
                if (c > maxCharger[i])
                    maxCharger[i] = c;
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
            if (m1 > maxMeasured[0]) maxMeasured[0] = m1;
            if (m2 > maxMeasured[1]) maxMeasured[1] = m2;
            if (m3 > maxMeasured[2]) maxMeasured[2] = m3;
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
            newest = (newest + 1) % Capacity;
            if (count < Capacity)
                count++;
            newestEndMs = endMs;
            for (int p = 0; p < 3; p++)
            {
                int slot = p * Capacity + newest;
                Limit[slot] = Units(minLimit[p] == int.MaxValue ? 0 : minLimit[p]);
                Allocated[slot] = Units(maxAllocated[p]);
                Measured[slot] = maxMeasured[p] < 0 ? (short)-1 : Units(maxMeasured[p]);
            }
            for (int i = 0; i < chargers; i++)
                Charger[i * Capacity + newest] = Units(maxCharger[i]);
        }

        /// <summary>mA to 100 mA units, rounded, held within a short (3276.7 A is beyond any group: 64 × 32 A = 2048 A).</summary>
        static short Units(int ma)
        {
            int u = (ma + UnitMa / 2) / UnitMa;
            return (short)(u > short.MaxValue ? short.MaxValue : u < 0 ? 0 : u);
        }

        /// <summary>The sample <paramref name="age"/> intervals before the newest (0 = newest) of a series.</summary>
        public int Value(short[] series, int row, int age)
        {
            int slot = (newest - age + Capacity) % Capacity;
            return series[row * Capacity + slot];
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
                .Property("interval", IntervalMs / 1000)
                .Property("unit", UnitMa)
                .Property("uptime", nowMs)
                .Property("end", count == 0 ? nowMs : newestEndMs)
                .Property("count", count);
            Series(w, "limit", Limit, 3);
            Series(w, "allocated", Allocated, 3);
            Series(w, "measured", Measured, 3);
            Series(w, "chargers", Charger, chargers);
            w.EndObject();
        }

        void Series(JsonWriter w, string name, short[] series, int rows)
        {
            w.Name(name).BeginArray();
            for (int r = 0; r < rows; r++)
            {
                w.BeginArray();
                int run = 0, value = 0;
                for (int age = count - 1; age >= 0; age--)
                {
                    int v = Value(series, r, age);
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
