using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChargeManager.Distribution.Tests.Reliability;

/// <summary>One HTTP request as raw bytes over a fresh TCP connection, exactly as given (no client library fixing it up).</summary>
public static class RawHttp
{
    /// <summary>
    /// The status of the answer; 0 when the server closed without answering (only after we gave up on
    /// an incomplete request); -1 when it did not answer at all. Kestrel takes a half-closed connection
    /// for an aborted one, so the request is sent as it is, and only when nothing comes back within
    /// <paramref name="patienceMs"/> (an incomplete request: the server waits for the rest) does the
    /// client close its side and wait up to 5 s for what the server does.
    /// </summary>
    public static int Send(IPEndPoint server, byte[] request, out string answer, IPAddress from = null, int patienceMs = 1500, bool wantBody = true)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from != null)
            socket.Bind(new IPEndPoint(from, 0));
        socket.SendTimeout = 5000;
        socket.LingerState = new LingerOption(true, 0); // no TIME_WAIT pile-up over thousands of requests
        socket.Connect(server);
        try
        {
            socket.Send(request);
        }
        catch (SocketException)
        {
            // the server may close early (e.g. after refusing the headers); read what it said
        }
        var received = new MemoryStream();
        bool closed = ReadHead(socket, received, patienceMs, wantBody);
        if (received.Length == 0 && !closed)
        {
            try { socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { }
            closed = ReadHead(socket, received, 5000, wantBody);
            if (received.Length == 0 && !closed)
            {
                answer = "";
                return -1;
            }
        }
        answer = Encoding.UTF8.GetString(received.ToArray());
        if (answer.StartsWith("HTTP/1.1 100 ") && answer.IndexOf("HTTP/1.", 5, StringComparison.Ordinal) > 0)
            answer = answer[answer.IndexOf("HTTP/1.", 5, StringComparison.Ordinal)..];
        if (!answer.StartsWith("HTTP/1.") || answer.Length < 12 || !int.TryParse(answer.AsSpan(9, 3), out int status))
            return 0;
        return status;
    }

    /// <summary>Reads until the answer's head is complete (a short wait for the start of the body) or the server closes; true when it closed.</summary>
    static bool ReadHead(Socket socket, MemoryStream received, int timeoutMs, bool wantBody)
    {
        var buffer = new byte[8192];
        socket.ReceiveTimeout = timeoutMs;
        try
        {
            int n;
            while ((n = socket.Receive(buffer)) > 0)
            {
                received.Write(buffer, 0, n);
                string text = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
                int heads = text.Split("\r\n\r\n").Length - 1;
                if (heads > (text.StartsWith("HTTP/1.1 100 ") ? 1 : 0)) // after "100 Continue", the real answer
                {
                    if (!wantBody)
                        return false;
                    socket.ReceiveTimeout = 50; // the body follows at once or not at all
                }
            }
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut || e.SocketErrorCode == SocketError.WouldBlock)
        {
            return false;
        }
        catch (SocketException)
        {
            return true; // reset
        }
    }

    public static int Send(IPEndPoint server, string request, out string answer, bool wantBody = true) =>
        Send(server, Encoding.UTF8.GetBytes(request), out answer, wantBody: wantBody);

    /// <summary>The body of an answer (after the blank line).</summary>
    public static string Body(string answer)
    {
        int i = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return i < 0 ? "" : answer[(i + 4)..];
    }
}
