using System.Net;
using System.Net.NetworkInformation;
using System.Threading;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Api.Auth;

namespace ChargeManager.Firmware.Api
{
    /// <summary>
    /// The HTTP API on port 80: one thread takes requests from HttpListener and hands (method, path, body)
    /// to the core through <see cref="ApiCall"/> (the loop's lock only around the core; flash and socket
    /// writes after it). It never dies: every error is caught and logged, and a listener that stopped
    /// itself (HttpListener stops after more than 5 accept errors; GetContext then returns null) is made
    /// again. The listener binds IPAddress.Any, so it follows address changes (HttpListener's default
    /// binds the address the interface had at Start); on NetworkAddressChanged it is restarted as well.
    /// A watchdog closes a request's connection after <see cref="RequestTimeoutMs"/>: HttpListener parses
    /// the request head from the socket with no timeout, and a client that stalls would hold the thread.
    /// Keep-alive stays off (cheaper on the ESP32).
    /// </summary>
    public sealed class HttpApi
    {
        /// <summary>The longest one request may take, accept to last byte, ms; then its connection is closed.</summary>
        public const int RequestTimeoutMs = 10000;

        /// <summary>Read and write timeout on the request's streams once its head is parsed, ms.</summary>
        public const int StreamTimeoutMs = 5000;

        readonly ChargeManagerApp app;
        readonly object gate;
        readonly ApiCall call;
        readonly IFileStore pages;
        readonly byte[] body = new byte[ChargeManagerApp.MaxBodyBytes + 1];
        readonly object watch = new object();
        readonly HttpAuth auth = new HttpAuth(RandomBytes(16));
        readonly RequestGuard guard = new RequestGuard(null);
        HttpListener listener;
        HttpListenerContext current;
        long currentSinceMs;
        int restarts, timeouts;
        string lastError;

        /// <param name="pages">The flash itself, for the web page (read without the loop's lock).</param>
        public HttpApi(ChargeManagerApp app, object gate, ApiCall call, IFileStore pages)
        {
            this.app = app;
            this.gate = gate;
            this.call = call;
            this.pages = pages;
        }

        public void Start()
        {
            RefreshOwnNames();
            app.Settings.Applied += name =>
            {
                if (name == "network/config")
                    RefreshOwnNames(); // a renamed device answers to its new name at once
            };
            NetworkChange.NetworkAddressChanged += OnAddressChanged;
            new Thread(Serve).Start();
            new Thread(Watch).Start();
        }

        /// <summary>The names a request's Host may carry (the core's RequestGuard decides): every interface's IPv4
        /// address, localhost, and the device's host name with and without ".local" (network/config).</summary>
        void RefreshOwnNames()
        {
            try
            {
                NetworkInterface[] nics = NetworkInterface.GetAllNetworkInterfaces();
                string hostName = OwnHostName();
                int extra = hostName == null ? 1 : 3;
                string[] names = new string[nics.Length + extra];
                for (int i = 0; i < nics.Length; i++)
                    names[i] = nics[i].IPv4Address;
                names[nics.Length] = "localhost";
                if (hostName != null)
                {
                    names[nics.Length + 1] = hostName;
                    names[nics.Length + 2] = hostName + ".local";
                }
                guard.SetOwnNames(names);
            }
            catch (System.Exception e)
            {
                Log("HTTP: own addresses not to be had (" + e.Message + "); the Host check keeps the last ones");
            }
        }

        /// <summary>network/config's host name (read under the loop's lock), or null.</summary>
        string OwnHostName()
        {
            lock (gate)
                return app.Settings.Network == null ? null : app.Settings.Network.Hostname;
        }

        void OnAddressChanged(object sender, System.EventArgs e)
        {
            RefreshOwnNames();
            HttpListener l = listener;
            try
            {
                if (l != null)
                    l.Stop(); // GetContext returns null; Serve makes a new listener
            }
            catch (System.Exception)
            {
                // already stopped or closed: Serve makes a new one either way
            }
        }

        void Log(string message)
        {
            lock (gate)
                app.Log.Add(System.Environment.TickCount64, message);
        }

        void Listen()
        {
            if (listener != null)
            {
                try
                {
                    listener.Close();
                }
                catch (System.Exception)
                {
                    // a broken listener is dropped either way
                }
                listener = null;
                restarts++;
                Log("HTTP: listener restarted (" + restarts.ToString() + ")");
            }
            HttpListener fresh = new HttpListener("http", 80, IPAddress.Any);
            fresh.Start();
            listener = fresh;
        }

        void Serve()
        {
            while (true)
            {
                try
                {
                    if (listener == null || !listener.IsListening)
                        Listen();
                    HttpListenerContext context = listener.GetContext();
                    if (context == null)
                        continue; // the listener stopped: made again above
                    lastError = null;
                    lock (watch)
                    {
                        current = context;
                        currentSinceMs = System.Environment.TickCount64;
                    }
                    try
                    {
                        Answer(context);
                    }
                    finally
                    {
                        lock (watch)
                            current = null;
                        context.Close();
                    }
                }
                catch (System.Exception e)
                {
                    // A client that went away mid-request, a closed connection, a listener that failed: log, go on.
                    // The same error again (no network: the listener cannot bind) is not logged again.
                    try
                    {
                        if (e.Message != lastError)
                            Log("HTTP: " + e.Message);
                        lastError = e.Message;
                    }
                    catch (System.Exception)
                    {
                        // not even the log: still go on
                    }
                    Thread.Sleep(listener == null || !listener.IsListening ? 1000 : 10);
                }
            }
        }

        /// <summary>Closes the connection of a request that takes too long; the blocked read or write in Serve then fails.</summary>
        void Watch()
        {
            while (true)
            {
                Thread.Sleep(1000);
                try
                {
                    HttpListenerContext stalled = null;
                    lock (watch)
                    {
                        if (current != null && System.Environment.TickCount64 - currentSinceMs > RequestTimeoutMs)
                        {
                            stalled = current;
                            current = null;
                        }
                    }
                    if (stalled == null)
                        continue;
                    timeouts++;
                    stalled.Close();
                    Log("HTTP: a client stalled for " + (RequestTimeoutMs / 1000).ToString() + " s, connection closed (" + timeouts.ToString() + ")");
                }
                catch (System.Exception)
                {
                    // the watchdog keeps watching
                }
            }
        }

        /// <summary>The ESP32's hardware random number generator (nanoFramework's System.Random draws from it): the nonces' key.</summary>
        static byte[] RandomBytes(int count)
        {
            byte[] bytes = new byte[count];
            new System.Random().NextBytes(bytes);
            return bytes;
        }

        /// <summary>users/config's authentication: the core decides (under the loop's lock, as users may change); 401 with the
        /// Digest challenge or 429 with Retry-After is answered here.</summary>
        bool Authorized(HttpListenerRequest request, HttpListenerResponse response, string path)
        {
            string client = request.RemoteEndPoint == null ? "" : request.RemoteEndPoint.Address.ToString();
            int status;
            string challenge, message;
            int retryAfter;
            lock (gate)
            {
                status = auth.Check(app.Users, request.HttpMethod, path, request.RawUrl, request.Headers["Authorization"], client,
                    System.Environment.TickCount64);
                challenge = auth.Challenge;
                message = auth.Message;
                retryAfter = auth.RetryAfterSeconds;
            }
            if (status == 0)
                return true;
            response.StatusCode = status;
            if (challenge != null)
                response.Headers.Add("WWW-Authenticate", challenge);
            if (retryAfter > 0)
                response.Headers.Add("Retry-After", retryAfter.ToString());
            response.ContentType = "text/plain; charset=utf-8";
            byte[] text = new byte[message.Length * 3 + 1];
            int length = Utf8Text.Encode(message + "\n", text);
            response.ContentLength64 = length;
            response.OutputStream.Write(text, 0, length);
            return false;
        }

        void Answer(HttpListenerContext context)
        {
            HttpListenerRequest request = context.Request; // parses the head: the watchdog bounds this
            HttpListenerResponse response = context.Response;
            try
            {
                // Socket timeouts through NetworkStream (InputNetworkStreamWrapper passes them on).
                request.InputStream.ReadTimeout = StreamTimeoutMs;
                response.OutputStream.WriteTimeout = StreamTimeoutMs;
            }
            catch (System.Exception)
            {
                // a stream without timeouts: the watchdog still bounds the request
            }
            int length = 0;
            if (request.ContentLength64 > 0)
            {
                // A body larger than the buffer is read up to MaxBodyBytes + 1: the core answers 413.
                int wanted = request.ContentLength64 > body.Length ? body.Length : (int)request.ContentLength64;
                int read;
                while (length < wanted && (read = request.InputStream.Read(body, length, wanted - length)) > 0)
                    length += read;
            }
            string path = request.RawUrl;
            int query = path.IndexOf('?');
            if (query >= 0)
                path = path.Substring(0, query);

            // Where the request comes from first (Host, Origin/Referer, Content-Type): a foreign page gets 403/415
            // whether or not it holds credentials (issue 13).
            int refused = guard.Check(request.HttpMethod, request.Headers["Host"], request.Headers["Origin"],
                request.Headers["Referer"], request.ContentType);
            if (refused != 0)
            {
                response.StatusCode = refused;
                response.ContentType = "text/plain; charset=utf-8";
                byte[] text = new byte[guard.Message.Length * 3 + 1];
                int textLength = Utf8Text.Encode(guard.Message + "\n", text);
                response.ContentLength64 = textLength;
                response.OutputStream.Write(text, 0, textLength);
                return;
            }
            if (!Authorized(request, response, path))
                return;
            if (request.HttpMethod == "GET" && (path == "/" || path == "/index.html"))
            {
                // The web page, deployed to flash by flash.ps1 (nanoff --filedeployment); no lock needed.
                byte[] page = pages.Read("index.html");
                response.StatusCode = page == null ? 404 : 200;
                response.ContentType = page == null ? "text/plain; charset=utf-8" : "text/html";
                if (page == null)
                    page = new byte[] { (byte)'n', (byte)'o', (byte)' ', (byte)'p', (byte)'a', (byte)'g', (byte)'e', (byte)'\n' };
                response.ContentLength64 = page.Length;
                response.OutputStream.Write(page, 0, page.Length);
                return;
            }
            // The lock is held inside Http only; the answer is in call.Reply, written here without it.
            int status = call.Http(request.HttpMethod, path, body, length, System.Environment.TickCount64);
            response.StatusCode = status;
            if (call.Allow != null)
                response.Headers.Add("Allow", call.Allow);
            response.ContentType = status == 200 ? "application/json" : "text/plain; charset=utf-8";
            response.ContentLength64 = call.ReplyLength;
            response.OutputStream.Write(call.Reply, 0, call.ReplyLength);
        }
    }
}
