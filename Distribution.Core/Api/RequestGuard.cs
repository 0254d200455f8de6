using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// Decides, before the API sees an HTTP request, whether it comes from where it should (issue 13).
    /// Transport-free: the shells (desktop host, firmware) pass the method and four headers and answer
    /// the returned status with <see cref="Message"/> as they answer the API's errors.
    /// <list type="number">
    /// <item>Host: absent, or one of the device's own names and addresses (any port), compared without
    /// case and without a trailing dot; otherwise 403. Against DNS rebinding: a hostile page whose name
    /// points at the device sends its own name as Host, for reads as for writes.</item>
    /// <item>GET and HEAD are reads and pass. The answers never carry Access-Control-Allow-Origin, so a
    /// browser never lets a page of another origin read them, and no preflight is ever granted.</item>
    /// <item>Every other method is a write. With an Origin header it must be this very origin (scheme,
    /// Host and port; "null" never is), else 403. Without Origin, a Referer must point at this origin,
    /// else 403. Neither header (curl, scripts): allowed. Browsers send Origin with every POST/PUT.</item>
    /// <item>A write's Content-Type must be absent, application/json, or application/x-www-form-urlencoded
    /// (what `curl -d` sends with the document's lines, JSON or the bare number); otherwise 415.
    /// text/plain and multipart/form-data are what a page may send cross-origin without asking.</item>
    /// </list>
    /// No allocation when a request passes (messages are built only for rejections).
    /// </summary>
    public sealed class RequestGuard
    {
        /// <summary>Refused: foreign Host, or a write from another origin.</summary>
        public const int Forbidden = 403;
        /// <summary>Refused: a write whose body is declared as something else than JSON or curl's form type.</summary>
        public const int UnsupportedMediaType = 415;

        string[] ownNames;

        /// <summary>The scheme this device is served with: plain http (host and firmware) unless set; an origin of the other scheme is another origin.</summary>
        public bool ServedOverHttps;

        /// <summary>Why the last <see cref="Check"/> refused, or null.</summary>
        public string Message;

        /// <param name="ownNames">The device's names and address literals without port (e.g. "warp-AbCd",
        /// "warp-AbCd.local", "192.168.1.20", "::1", "localhost"); IPv6 without brackets.</param>
        public RequestGuard(string[] ownNames)
        {
            SetOwnNames(ownNames);
        }

        /// <summary>Replaces the own names (a new address from DHCP, a renamed device).</summary>
        public void SetOwnNames(string[] names)
        {
            ownNames = names == null ? new string[0] : names;
        }

        /// <summary>0 when the request may be served; otherwise the HTTP status (403 or 415) and <see cref="Message"/>.</summary>
        /// <param name="method">The request method as sent.</param>
        /// <param name="host">The Host header (name or literal, optional ":port"), or null.</param>
        /// <param name="origin">The Origin header, or null.</param>
        /// <param name="referer">The Referer header, or null.</param>
        /// <param name="contentType">The Content-Type header, or null.</param>
        public int Check(string method, string host, string origin, string referer, string contentType)
        {
            Message = null;
            if (!IsEmpty(host) && !IsOwnHost(host))
                return Refuse(Forbidden, "Host '" + host + "' is not this device's name or address");
            if (method == "GET" || method == "HEAD")
                return 0;
            if (!IsEmpty(origin))
            {
                if (!SameOrigin(origin, host))
                    return Refuse(Forbidden, "cross-origin write refused: Origin '" + origin + "' is not this device");
            }
            else if (!IsEmpty(referer) && !SameOrigin(referer, host))
                return Refuse(Forbidden, "cross-origin write refused: Referer '" + referer + "' is not this device");
            if (!IsEmpty(contentType) && !AcceptedType(contentType))
                return Refuse(UnsupportedMediaType, "Content-Type '" + contentType + "' is not accepted for writes: send application/json");
            return 0;
        }

        int Refuse(int status, string message)
        {
            Message = message;
            return status;
        }

        static bool IsEmpty(string s)
        {
            return s == null || s.Length == 0;
        }

        /// <summary>The Host header's name (without port, brackets and trailing dot) is one of the own names.</summary>
        public bool IsOwnHost(string host)
        {
            int start, end;
            if (!SplitHost(host, 0, host.Length, out start, out end))
                return false;
            if (end > start && host[end - 1] == '.')
                end--;
            for (int i = 0; i < ownNames.Length; i++)
                if (Ascii.EqualsIgnoreCase(host, start, end, ownNames[i]))
                    return true;
            return false;
        }

        /// <summary>
        /// The name part of "name", "name:port", "[v6]" or "[v6]:port" between [from, to): its bounds.
        /// False when malformed (an unclosed bracket, a non-digit port).
        /// </summary>
        static bool SplitHost(string s, int from, int to, out int start, out int end)
        {
            start = from;
            end = to;
            int portAt;
            if (from < to && s[from] == '[')
            {
                int close = s.IndexOf(']', from);
                if (close < 0 || close >= to)
                    return false;
                start = from + 1;
                end = close;
                portAt = close + 1;
                if (portAt < to && s[portAt] != ':')
                    return false;
            }
            else
            {
                portAt = to;
                for (int i = from; i < to; i++)
                    if (s[i] == ':')
                    {
                        portAt = i;
                        break;
                    }
                end = portAt;
            }
            for (int i = portAt + 1; i < to; i++)
                if (s[i] < '0' || s[i] > '9')
                    return false;
            return end > start;
        }

        /// <summary>The port of "name:port" or "[v6]:port" between [from, to), or -1 when none is given.</summary>
        static int PortOf(string s, int from, int to)
        {
            int colon = -1;
            for (int i = to - 1; i >= from; i--)
            {
                if (s[i] == ':')
                {
                    colon = i;
                    break;
                }
                if (s[i] < '0' || s[i] > '9')
                    return -1;
            }
            if (colon < 0 || colon == to - 1)
                return -1;
            if (s[from] != '[')
            {
                for (int i = from; i < colon; i++)
                    if (s[i] == ':')
                        return -1; // a bare IPv6 literal has no port
            }
            else if (s[colon - 1] != ']')
                return -1;
            int port = 0;
            for (int i = colon + 1; i < to && port <= 65535; i++)
                port = port * 10 + (s[i] - '0');
            return port;
        }

        /// <summary>
        /// An Origin ("http://name:port") or Referer ("http://name:port/path…") names the same scheme-less
        /// authority as the Host header: same name (ignoring case), same port (absent = the scheme's default).
        /// </summary>
        bool SameOrigin(string url, string host)
        {
            if (IsEmpty(host))
                return false; // nothing to compare with: no proof it is ours
            int defaultPort;
            int from;
            if (!ServedOverHttps && StartsWithIgnoreCase(url, "http://"))
            {
                defaultPort = 80;
                from = 7;
            }
            else if (ServedOverHttps && StartsWithIgnoreCase(url, "https://"))
            {
                defaultPort = 443;
                from = 8;
            }
            else
                return false; // "null", file:, data:, anything else
            int to = from;
            while (to < url.Length && url[to] != '/' && url[to] != '?' && url[to] != '#')
                to++;
            for (int i = to - 1; i >= from; i--)
                if (url[i] == '@')
                {
                    from = i + 1; // user info is not part of the origin
                    break;
                }
            int uStart, uEnd, hStart, hEnd;
            if (!SplitHost(url, from, to, out uStart, out uEnd) || !SplitHost(host, 0, host.Length, out hStart, out hEnd))
                return false;
            if (uEnd - uStart != hEnd - hStart)
                return false;
            for (int i = 0; i < uEnd - uStart; i++)
                if (Ascii.Lower(url[uStart + i]) != Ascii.Lower(host[hStart + i]))
                    return false;
            int urlPort = PortOf(url, from, to), hostPort = PortOf(host, 0, host.Length);
            return (urlPort < 0 ? defaultPort : urlPort) == (hostPort < 0 ? defaultPort : hostPort);
        }

        /// <summary>application/json, or curl -d's application/x-www-form-urlencoded; parameters (charset) ignored.</summary>
        static bool AcceptedType(string contentType)
        {
            int end = contentType.IndexOf(';');
            if (end < 0)
                end = contentType.Length;
            int start = 0;
            while (start < end && contentType[start] == ' ')
                start++;
            while (end > start && contentType[end - 1] == ' ')
                end--;
            return Ascii.EqualsIgnoreCase(contentType, start, end, "application/json")
                || Ascii.EqualsIgnoreCase(contentType, start, end, "application/x-www-form-urlencoded");
        }

        static bool StartsWithIgnoreCase(string s, string prefix)
        {
            return s.Length >= prefix.Length && Ascii.EqualsIgnoreCase(s, 0, prefix.Length, prefix);
        }
    }
}
