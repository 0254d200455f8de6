using System.Net;
using System.Threading;
using ChargeManager.Distribution.Api;

namespace ChargeManager.Firmware.Api
{
    /// <summary>
    /// The HTTP API on port 80: one thread takes requests from HttpListener and hands (method, path,
    /// body) to the core's ChargeManagerApp under the shared lock. Keep-alive stays off (cheaper on the ESP32).
    /// </summary>
    public sealed class HttpApi
    {
        readonly ChargeManagerApp app;
        readonly object gate;
        readonly IFileStore store;
        readonly HttpListener listener = new HttpListener("http", 80);
        readonly byte[] body = new byte[ChargeManagerApp.MaxBodyBytes + 1];

        public HttpApi(ChargeManagerApp app, object gate, IFileStore store)
        {
            this.app = app;
            this.gate = gate;
            this.store = store;
        }

        public void Start()
        {
            listener.Start();
            new Thread(Serve).Start();
        }

        void Serve()
        {
            while (true)
            {
                HttpListenerContext context = listener.GetContext();
                try
                {
                    Answer(context);
                }
                catch (System.Exception)
                {
                    // a client that went away mid-request; the next one is served as usual
                }
                finally
                {
                    context.Close();
                }
            }
        }

        void Answer(HttpListenerContext context)
        {
            HttpListenerRequest request = context.Request;
            int length = 0;
            if (request.ContentLength64 > 0)
            {
                int wanted = request.ContentLength64 > body.Length ? body.Length : (int)request.ContentLength64;
                int read;
                while (length < wanted && (read = request.InputStream.Read(body, length, wanted - length)) > 0)
                    length += read;
            }
            string path = request.RawUrl;
            int query = path.IndexOf('?');
            if (query >= 0)
                path = path.Substring(0, query);

            HttpListenerResponse response = context.Response;
            if (request.HttpMethod == "GET" && (path == "/" || path == "/index.html"))
            {
                // The web page, deployed to flash by flash.ps1 (nanoff --filedeployment).
                byte[] page = store.Read("index.html");
                response.StatusCode = page == null ? 404 : 200;
                response.ContentType = "text/html";
                if (page != null)
                {
                    response.ContentLength64 = page.Length;
                    response.OutputStream.Write(page, 0, page.Length);
                }
                return;
            }
            lock (gate)
            {
                int status = app.Handle(request.HttpMethod, path, body, length, System.Environment.TickCount64);
                response.StatusCode = status;
                if (status == 200)
                {
                    response.ContentType = "application/json";
                    response.ContentLength64 = app.Response.Length;
                    response.OutputStream.Write(app.Response.Buffer, 0, app.Response.Length);
                }
                else
                {
                    response.ContentType = "text/plain";
                    byte[] text = Utf8.Encode(app.ErrorText + "\n");
                    response.ContentLength64 = text.Length;
                    response.OutputStream.Write(text, 0, text.Length);
                }
            }
        }
    }
}
