namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// What the MQTT publisher subscribes to and which of <see cref="ChargeManagerApp.Objects"/> it renders
    /// and publishes when. Subscriptions: only the "_update" topics of the writable objects, so the
    /// device never receives its own retained publications. Publishing: an object is rendered only
    /// when it may have changed (state and low_level_state every <see cref="StatePeriodMs"/>;
    /// available_current when its value differs from the published one; the stored objects after a
    /// write was applied, and every <see cref="RecheckPeriodMs"/> in case the core changed one by
    /// itself) and published only when its bytes differ from what was last published. Used under the
    /// loop's lock (the API threads call <see cref="Written"/> there).
    /// </summary>
    public sealed class PublishPlan
    {
        /// <summary>How often state and low_level_state are rendered, ms (WARP publishes states about once a second).</summary>
        public const int StatePeriodMs = 1000;

        /// <summary>How often the stored objects are rendered without a known change, ms: a safety net only.</summary>
        public const int RecheckPeriodMs = 10000;

        /// <summary>The objects written over MQTT as PREFIX/charge_manager/NAME_update (the API's writable objects).</summary>
        public static readonly string[] Writable = { "available_current", "config", "low_level_config", "phase_rotations", "phase_switching", "contactor_reset" };

        readonly string[] objects = ChargeManagerApp.Objects;
        readonly byte[][] published;
        readonly long[] renderedMs;
        readonly bool[] dirty;
        int publishedCurrent;

        public PublishPlan()
        {
            published = new byte[objects.Length][];
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
                published[i] = null;
                dirty[i] = true;
            }
        }

        /// <summary>A write was applied (HTTP or MQTT): the stored objects may have changed.</summary>
        public void Written()
        {
            for (int i = 0; i < objects.Length; i++)
                if (!IsState(objects[i]))
                    dirty[i] = true;
        }

        static bool IsState(string name)
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
            if (published[index] == null || dirty[index])
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
        /// ones, else a copy to publish (remembered as published).
        /// </summary>
        public byte[] Changed(int index, byte[] buffer, int length)
        {
            byte[] last = published[index];
            if (last != null && last.Length == length)
            {
                int i = 0;
                while (i < length && last[i] == buffer[i])
                    i++;
                if (i == length)
                    return null;
            }
            byte[] copy = new byte[length];
            for (int i = 0; i < length; i++)
                copy[i] = buffer[i];
            published[index] = copy;
            return copy;
        }
    }
}
