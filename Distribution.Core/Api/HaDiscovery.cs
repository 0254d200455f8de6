using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Util;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// Home Assistant MQTT discovery messages (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery),
    /// pure: topic &lt;discovery prefix&gt;/&lt;component&gt;/&lt;node_id&gt;/&lt;object_id&gt;/config, published retained by the
    /// shells. Entities, in order: the available current as a number HA can set (command_topic = the
    /// available_current_update topic, in mA), the allocated current of L1, L2, L3 (sensors, mA), and per
    /// charger its state (in words), allocated current (mA) and the reason (in words). Every entity names
    /// the availability topic, on which the shells publish "online" retained and leave "offline" as the
    /// last will. node_id is the client name with every character HA does not allow ([a-zA-Z0-9_-]) as
    /// '_'; a charger's object_id is made from its host, so it stays the same when the list is reordered.
    /// </summary>
    public static class HaDiscovery
    {
        public const int GroupEntities = 4, ChargerEntities = 3;

        /// <summary>The vehicle states of charge_manager/state's "s" (WARP's CASState) in words, as the web page shows them.</summary>
        const string StateWords = "['no vehicle','waiting for local release','waiting for the manager','ready','charging','error','charging done','not authorised']";

        /// <summary>How many discovery messages a group of this many chargers has.</summary>
        public static int Count(int chargers)
        {
            return GroupEntities + ChargerEntities * chargers;
        }

        /// <summary>"&lt;prefix&gt;/availability": "online" while connected (retained), "offline" as the last will.</summary>
        public static string AvailabilityTopic(string topicPrefix)
        {
            return topicPrefix + "/availability";
        }

        /// <summary>Only [a-zA-Z0-9_-] (HA's rule for node_id and object_id); every other character becomes '_'.</summary>
        public static string Id(string text)
        {
            char[] c = text.ToCharArray();
            for (int i = 0; i < c.Length; i++)
                if (!(c[i] >= 'a' && c[i] <= 'z' || c[i] >= 'A' && c[i] <= 'Z' || c[i] >= '0' && c[i] <= '9' || c[i] == '_' || c[i] == '-'))
                    c[i] = '_';
            return new string(c);
        }

        static string Component(int index)
        {
            return index == 0 ? "number" : "sensor";
        }

        static string ObjectId(int index, TextList hosts)
        {
            if (index == 0)
                return "available_current";
            if (index < GroupEntities)
                return "allocated_l" + index.ToString();
            int k = (index - GroupEntities) / ChargerEntities, what = (index - GroupEntities) % ChargerEntities;
            string charger = "charger_" + Id(HostName.Canonical(hosts[k]));
            return charger + (what == 0 ? "_state" : what == 1 ? "_current" : "_reason");
        }

        /// <summary>The config topic of entity <paramref name="index"/> (0 ≤ index &lt; Count(hosts.Length)).</summary>
        public static string Topic(string discoveryPrefix, string clientName, int index, TextList hosts)
        {
            return discoveryPrefix + "/" + Component(index) + "/" + Id(clientName) + "/" + ObjectId(index, hosts) + "/config";
        }

        /// <summary>
        /// The config payload of entity <paramref name="index"/> into <paramref name="w"/> (reset first).
        /// maxCurrent: the number's maximum, config's maximum_available_current (mA).
        /// </summary>
        public static void Payload(JsonWriter w, int index, string topicPrefix, string clientName, TextList hosts, TextList names, int maxCurrent)
        {
            string node = Id(clientName);
            string objectId = ObjectId(index, hosts);
            string state = topicPrefix + "/charge_manager/state";
            w.Reset();
            w.BeginObject();
            if (index == 0)
            {
                w.Property("name", "Available current")
                    .Property("state_topic", topicPrefix + "/charge_manager/available_current")
                    .Property("value_template", "{{ value_json.current }}")
                    .Property("command_topic", topicPrefix + "/charge_manager/available_current_update")
                    .Property("command_template", "{\"current\": {{ value | int }}}")
                    .Property("min", 0).Property("max", maxCurrent).Property("step", 1).Property("mode", "box");
                Current(w);
            }
            else if (index < GroupEntities)
            {
                w.Property("name", "Allocated L" + index.ToString())
                    .Property("state_topic", state)
                    .Property("value_template", "{{ value_json.alloc[" + index.ToString() + "] }}");
                Current(w);
                w.Property("state_class", "measurement");
            }
            else
            {
                int k = (index - GroupEntities) / ChargerEntities, what = (index - GroupEntities) % ChargerEntities;
                string at = "value_json.chargers[" + k.ToString() + "]";
                w.Property("name", names[k] + (what == 0 ? " state" : what == 1 ? " allocated current" : " reason"))
                    .Property("state_topic", state);
                if (what == 0)
                    w.Property("value_template", "{{ " + StateWords + "[" + at + ".s] }}");
                else if (what == 1)
                {
                    w.Property("value_template", "{{ " + at + ".ac }}");
                    Current(w);
                    w.Property("state_class", "measurement");
                }
                else
                    w.Property("value_template", "{{ " + at + ".rt }}");
            }
            w.Property("unique_id", node + "-" + objectId)
                .Property("availability_topic", AvailabilityTopic(topicPrefix))
                .Property("payload_available", "online")
                .Property("payload_not_available", "offline");
            w.Name("device").BeginObject()
                .Name("identifiers").BeginArray().Value(node).EndArray()
                .Property("name", "Charge manager " + clientName)
                .Property("manufacturer", "ChargeManager")
                .Property("model", "Charge manager")
                .EndObject();
            w.EndObject();
        }

        static void Current(JsonWriter w)
        {
            w.Property("unit_of_measurement", "mA").Property("device_class", "current");
        }
    }
}
