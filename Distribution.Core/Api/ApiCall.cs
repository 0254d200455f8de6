namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// How an API thread (HTTP, MQTT) calls the core without stalling the 50 ms loop: it holds the loop's
    /// lock only while the core handles the request and the answer is copied into <see cref="Reply"/>;
    /// the flash writes (<see cref="WriteBehindStore.Flush"/>) and the socket write happen after the lock
    /// is released. A request is answered only once its config is on flash. One instance per thread
    /// (the reply buffer is its own); the lock and the store are shared. Exceptions from the core are
    /// caught and turned into a 500 (HTTP) or a log line (MQTT): a request never ends an API thread.
    /// </summary>
    public sealed class ApiCall
    {
        readonly ChargeManagerApp app;
        readonly object gate;
        readonly WriteBehindStore store;
        readonly PublishPlan plan;

        /// <summary>The answer of the last <see cref="Http"/> call: JSON for a 200, plain UTF-8 text otherwise.</summary>
        public byte[] Reply = new byte[1024];
        public int ReplyLength;
        /// <summary>With a 405: the Allow header's value (<see cref="ChargeManagerApp.Allow"/>); else null.</summary>
        public string Allow;

        /// <param name="gate">The lock the 50 ms loop takes for every tick.</param>
        /// <param name="plan">The MQTT publisher's plan, told about every applied write; or null.</param>
        public ApiCall(ChargeManagerApp app, object gate, WriteBehindStore store, PublishPlan plan)
        {
            this.app = app;
            this.gate = gate;
            this.store = store;
            this.plan = plan;
        }

        /// <summary>One HTTP request (see <see cref="ChargeManagerApp.Handle"/>); the status, with the body in <see cref="Reply"/>.</summary>
        public int Http(string method, string path, byte[] body, int length, long nowMs)
        {
            int status;
            Allow = null;
            lock (gate)
            {
                try
                {
                    status = app.Handle(method, path, body, length, nowMs);
                    if (status == 200)
                    {
                        Copy(app.Response.Buffer, app.Response.Length);
                        if (method != "GET" && method != "HEAD" && plan != null)
                            plan.Written();
                    }
                    else
                        Text(app.ErrorText + "\n");
                    Allow = status == 405 ? app.Allow : null;
                }
                catch (System.Exception e)
                {
                    status = 500;
                    Text("internal error: " + e.Message + "\n");
                    app.Log.Add(nowMs, "HTTP " + method + " " + path + " failed: " + e.Message);
                }
            }
            string error;
            if (!store.Flush(out error))
            {
                status = 500;
                Text("applied, but not stored on flash: " + error + "\n");
                lock (gate)
                    app.Log.Add(nowMs, "flash: " + error);
            }
            return status;
        }

        /// <summary>One MQTT message (see <see cref="ChargeManagerApp.HandleMqtt"/>); true when applied and stored.</summary>
        public bool Mqtt(string topic, byte[] payload, int length, long nowMs)
        {
            bool applied;
            lock (gate)
            {
                try
                {
                    applied = app.HandleMqtt(topic, payload, length, nowMs);
                    if (applied && plan != null)
                        plan.Written();
                }
                catch (System.Exception e)
                {
                    applied = false;
                    app.Log.Add(nowMs, "MQTT " + topic + " failed: " + e.Message);
                }
            }
            string error;
            if (!store.Flush(out error))
            {
                lock (gate)
                    app.Log.Add(nowMs, "flash: " + error);
                return false;
            }
            return applied;
        }

        void Copy(byte[] source, int length)
        {
            Room(length);
            for (int i = 0; i < length; i++)
                Reply[i] = source[i];
            ReplyLength = length;
        }

        void Text(string text)
        {
            Room(text.Length * 3);
            ReplyLength = Utf8Text.Encode(text, Reply);
        }

        void Room(int length)
        {
            if (Reply.Length < length)
                Reply = new byte[length];
        }
    }

    /// <summary>Plain text to UTF-8, unescaped (mscorlib has no Encoding): error bodies are text/plain, not JSON.</summary>
    public static class Utf8Text
    {
        /// <summary>Encodes into <paramref name="into"/> (at least 3 bytes per char); returns the length. Lone surrogates become U+FFFD.</summary>
        public static int Encode(string text, byte[] into)
        {
            return Util.Utf8.Encode(text.ToCharArray(), into, 0, into.Length);
        }
    }
}
