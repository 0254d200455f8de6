namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// What the MQTT publisher subscribes to and which of <see cref="ChargeManagerApp.Objects"/> it renders
    /// and publishes when. Subscriptions: only the "_update" topics of the writable objects, so the
    /// device never receives its own retained publications. Publishing: an object is rendered only
    /// when it may have changed (state and low_level_state at most every <see cref="StatePeriodMs"/>, mqtt/config's "interval", and at once after a write;
    /// available_current when its value differs from the published one; the stored objects after a
    /// write was applied, and every <see cref="RecheckPeriodMs"/> in case the core changed one by
    /// itself) and published only when its bytes differ from what was last published, told apart by a
    /// 64-bit FNV-1a hash and the length rather than a kept copy: at 64 chargers state and
    /// low_level_state are about 12 KB each, which a board without PSRAM cannot keep twice over (two
    /// renders that differ yet hash alike, odds 2^-64, would skip one publication until the next change).
    /// Used under the loop's lock (the API threads call <see cref="Written"/> there).
    /// </summary>
    public sealed class PublishPlan
    {
        /// <summary>
        /// How often state and low_level_state are rendered, ms: mqtt/config's "interval" (s, default 1 as
        /// WARP's), set by the shell before each round (<see cref="PeriodMs"/>). Both change on every tick
        /// (uptime, timers), so without it they would go out on every publishing round.
        /// </summary>
        public int StatePeriodMs = 1000;

        /// <summary>mqtt/config's "interval" (s, 0–86400) in ms: the least time between two publications of a state object.</summary>
        public static int PeriodMs(int intervalSeconds)
        {
            return intervalSeconds * 1000;
        }

        /// <summary>How often the stored objects are rendered without a known change, ms: a safety net only.</summary>
        public const int RecheckPeriodMs = 10000;

        /// <summary>The objects written over MQTT as PREFIX/charge_manager/NAME_update (the API's writable objects).</summary>
        public static readonly string[] Writable = { "available_current", "config", "low_level_config", "phase_rotations", "phase_switching", "contactor_reset" };

        readonly string[] objects = ChargeManagerApp.Objects;
        readonly long[] publishedHash;
        readonly int[] publishedLength; // -1: nothing published in this session
        readonly long[] renderedMs;
        readonly bool[] dirty;
        int publishedCurrent;

        public PublishPlan()
        {
            publishedHash = new long[objects.Length];
            publishedLength = new int[objects.Length];
            renderedMs = new long[objects.Length];
            dirty = new bool[objects.Length];
            NewSession();
        }

        /// <summary>The topics to subscribe to, e.g. "warp2/AbCd/charge_manager/config_update".</summary>
        public static string[] SubscribeTopics(string prefix)
        {
            string[] topics = new string[Writable.Length];
            for (int i = 0; i < topics.Length; i++)
                topics[i] = prefix + "/charge_manager/" + Writable[i] + "_update";
            return topics;
        }

        /// <summary>A new connection: everything is published again.</summary>
        public void NewSession()
        {
            for (int i = 0; i < objects.Length; i++)
            {
                publishedLength[i] = -1;
                dirty[i] = true;
            }
        }

        /// <summary>
        /// A write was applied (HTTP or MQTT): the stored objects may have changed, and so may the states (a
        /// new charger list, a new limit), which go out at once rather than up to <see cref="StatePeriodMs"/>
        /// later, so that state never lags behind the config a subscriber has just received.
        /// </summary>
        public void Written()
        {
            for (int i = 0; i < objects.Length; i++)
                dirty[i] = true;
        }

        /// <summary>state and low_level_state: they change on every tick, so they go out at most every <see cref="StatePeriodMs"/>.</summary>
        public static bool IsState(string name)
        {
            return name == "state" || name == "low_level_state";
        }

        /// <summary>
        /// Whether object <paramref name="index"/> is to be rendered now; if so it counts as rendered.
        /// <paramref name="availableCurrent"/> is the core's value (mA), compared without rendering.
        /// </summary>
        public bool Due(int index, long nowMs, int availableCurrent)
        {
            string name = objects[index];
            bool due;
            if (publishedLength[index] < 0 || dirty[index])
                due = true;
            else if (IsState(name))
                due = nowMs - renderedMs[index] >= StatePeriodMs;
            else if (name == "available_current" && availableCurrent != publishedCurrent)
                due = true;
            else
                due = nowMs - renderedMs[index] >= RecheckPeriodMs;
            if (!due)
                return false;
            renderedMs[index] = nowMs;
            dirty[index] = false;
            if (name == "available_current")
                publishedCurrent = availableCurrent;
            return true;
        }

        /// <summary>
        /// After rendering object <paramref name="index"/>: null when the bytes equal the last published
        /// ones (same length and hash), else a copy to publish (remembered as published by its hash).
        /// </summary>
        public byte[] Changed(int index, byte[] buffer, int length)
        {
            long hash = Fnv1a64(buffer, length);
            if (publishedLength[index] == length && publishedHash[index] == hash)
                return null;
            byte[] copy = new byte[length];
            for (int i = 0; i < length; i++)
                copy[i] = buffer[i];
            publishedLength[index] = length;
            publishedHash[index] = hash;
            return copy;
        }

        /// <summary>FNV-1a, 64 bits (offset basis 14695981039346656037, prime 1099511628211).</summary>
        public static long Fnv1a64(byte[] buffer, int length)
        {
            ulong h = 14695981039346656037UL;
            for (int i = 0; i < length; i++)
            {
                h ^= buffer[i];
                h *= 1099511628211UL;
            }
            return (long)h;
        }
    }
}
