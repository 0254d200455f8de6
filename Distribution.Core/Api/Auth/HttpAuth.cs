using ChargeManager.Distribution.Util;
namespace ChargeManager.Distribution.Api.Auth
{
    /// <summary>
    /// Decides whether an HTTP request may pass when users/config has authentication on (issue 15):
    /// HTTP Digest (RFC 7616/2617, algorithm MD5, qop=auth) as WARP does, which browsers and `curl --digest -u`
    /// speak; Basic credentials (`curl -u`) are accepted too and checked against the same stored HA1, but
    /// only Digest is offered, so a browser never sends the password in the clear. Transport-free: the
    /// shells pass the method, the request target as sent, the Authorization header and the client's
    /// address, and answer a refusal with <see cref="Challenge"/> (WWW-Authenticate) or
    /// <see cref="RetryAfterSeconds"/> (Retry-After). Not thread-safe: call it under the loop's lock.
    /// <list type="bullet">
    /// <item>Public: GET/HEAD of the page itself ("/", "/index.html"); everything else needs credentials.</item>
    /// <item>Nonces are stateless: issue time (ms) and a counter, with an MD5 tag over them and a secret drawn
    /// from the shell's random source at start. Valid for <see cref="NonceLifetimeMs"/>; an older one, or one
    /// from before a restart, gets a new challenge with stale=true (browsers and curl retry without asking).</item>
    /// <item>Replays: for the last <see cref="NonceSlots"/> nonces in use, each nc is accepted once (a window of
    /// 32 behind the highest, as parallel requests may arrive out of order).</item>
    /// <item>Slowing down: wrong credentials (unknown user, wrong response or password) are counted per client
    /// address; after <see cref="FreeFailures"/> each further one blocks that address for 1 s, 2 s, 4 s … up to
    /// 64 s, during which every request from it (but the page) gets 429 with Retry-After. A 429 instead of a
    /// delayed answer, because the device has one HTTP thread: sleeping would slow everyone. A success clears
    /// the count; so does 15 minutes without a failure. A request without credentials is no failure (it is
    /// every Digest exchange's first step).</item>
    /// </list>
    /// </summary>
    public sealed class HttpAuth
    {
        public const int Unauthorized = 401;
        public const int TooManyRequests = 429;
        public const long NonceLifetimeMs = 300000;
        public const int NonceSlots = 16;
        public const int FreeFailures = 3;
        public const long MaxBlockMs = 64000;
        public const long ForgetFailuresMs = 900000;
        const int Sources = 32;

        readonly string secret;
        int counter;

        // Replay window per nonce in use.
        readonly string[] slotNonce = new string[NonceSlots];
        readonly long[] slotHighest = new long[NonceSlots];
        readonly uint[] slotSeen = new uint[NonceSlots];
        readonly long[] slotUsedMs = new long[NonceSlots];

        // Failed logins per client address.
        readonly string[] source = new string[Sources];
        readonly int[] failures = new int[Sources];
        readonly long[] lastFailureMs = new long[Sources];
        readonly long[] blockedUntilMs = new long[Sources];

        /// <summary>The WWW-Authenticate value for the last 401, else null.</summary>
        public string Challenge;
        /// <summary>Seconds for Retry-After with the last 429.</summary>
        public int RetryAfterSeconds;
        /// <summary>Why the last request was refused (the answer's body), else null.</summary>
        public string Message;
        /// <summary>Who the last accepted request came from (null when public or authentication is off).</summary>
        public string User;

        /// <param name="random">At least 16 bytes from the shell's random source (RandomNumberGenerator on the desktop,
        /// the ESP32's hardware RNG through System.Random on the device): the key of the nonces' tags.</param>
        public HttpAuth(byte[] random)
        {
            secret = Md5.Hex(random);
        }

        /// <summary>GET/HEAD of the web page: served without credentials (its fetches then ask the browser for them).</summary>
        public static bool IsPublic(string method, string path)
        {
            return (method == "GET" || method == "HEAD") && (path == "/" || path == "/index.html");
        }

        /// <summary>
        /// 0 when the request may be served; else 401 (<see cref="Challenge"/>) or 429 (<see cref="RetryAfterSeconds"/>),
        /// with <see cref="Message"/>.
        /// </summary>
        /// <param name="path">The path without the query, for <see cref="IsPublic"/>.</param>
        /// <param name="target">The request target exactly as sent (path and query): Digest's "uri" must equal it.</param>
        /// <param name="authorization">The Authorization header, or null.</param>
        /// <param name="client">The client's address (the TCP peer), for counting failures.</param>
        public int Check(UsersConfig users, string method, string path, string target, string authorization, string client, long nowMs)
        {
            Challenge = null;
            Message = null;
            User = null;
            RetryAfterSeconds = 0;
            if (!users.HttpAuthEnabled || IsPublic(method, path))
                return 0;
            int at = Find(client);
            if (at >= 0 && nowMs < blockedUntilMs[at])
            {
                RetryAfterSeconds = (int)((blockedUntilMs[at] - nowMs + 999) / 1000);
                Message = "too many failed logins from " + client + ": wait " + RetryAfterSeconds.ToString() + " s";
                return TooManyRequests;
            }
            if (authorization == null || authorization.Length == 0)
                return Refuse(nowMs, false, "authentication required");
            if (StartsWithIgnoreCase(authorization, "Basic "))
                return CheckBasic(users, authorization.Substring(6).Trim(), client, nowMs);
            if (!StartsWithIgnoreCase(authorization, "Digest "))
                return Refuse(nowMs, false, "authentication required: HTTP Digest or Basic");
            return CheckDigest(users, method, target, authorization.Substring(7), client, nowMs);
        }

        int CheckDigest(UsersConfig users, string method, string target, string header, string client, long nowMs)
        {
            DigestFields d = DigestFields.Parse(header);
            if (d == null || d.Username == null || d.Nonce == null || d.Uri == null || d.Response == null)
                return Refuse(nowMs, false, "malformed Digest credentials");
            if (d.Realm != UsersConfig.Realm)
                return Refuse(nowMs, false, "wrong realm: expected '" + UsersConfig.Realm + "'");
            if (d.Algorithm != null && !Ascii.EqualsIgnoreCase(d.Algorithm, "MD5"))
                return Refuse(nowMs, false, "unsupported algorithm '" + d.Algorithm + "': MD5 only");
            if (d.Qop != "auth" || d.Cnonce == null || d.Nc == null)
                return Refuse(nowMs, false, "qop=auth with nc and cnonce is required");
            long nc = ParseHex(d.Nc);
            if (d.Nc.Length != 8 || nc <= 0)
                return Refuse(nowMs, false, "malformed nc");
            if (d.Uri != target)
                return Refuse(nowMs, false, "the Digest uri does not match the request");
            if (!NonceValid(d.Nonce, nowMs))
                return Refuse(nowMs, true, "stale nonce");
            string ha1 = users.HashOf(d.Username);
            string expected = ha1 == null ? null
                : Response(ha1, d.Nonce, d.Nc, d.Cnonce, d.Qop, method, d.Uri);
            if (expected == null || !SameText(expected, d.Response))
                return Fail(client, nowMs, "wrong user name or password");
            if (!Fresh(d.Nonce, nc, nowMs))
                return Refuse(nowMs, true, "nonce count used before");
            Succeeded(client);
            User = d.Username;
            return 0;
        }

        int CheckBasic(UsersConfig users, string encoded, string client, long nowMs)
        {
            byte[] raw = Base64.Decode(encoded);
            if (raw == null)
                return Refuse(nowMs, false, "malformed Basic credentials");
            int colon = -1;
            for (int i = 0; i < raw.Length; i++)
                if (raw[i] == (byte)':')
                {
                    colon = i;
                    break;
                }
            if (colon < 0)
                return Refuse(nowMs, false, "malformed Basic credentials");
            // HA1 over the bytes as sent: username ":" realm ":" password.
            byte[] realm = new byte[UsersConfig.Realm.Length * 3];
            int realmLength = Utf8Text.Encode(UsersConfig.Realm, realm);
            byte[] joined = new byte[raw.Length + realmLength + 1];
            int n = 0;
            for (int i = 0; i <= colon; i++)
                joined[n++] = raw[i];
            for (int i = 0; i < realmLength; i++)
                joined[n++] = realm[i];
            for (int i = colon; i < raw.Length; i++)
                joined[n++] = raw[i];
            string ha1 = Md5.Hex(Md5.Hash(joined, 0, n));
            for (int u = 0; u < users.Usernames.Length; u++)
            {
                string name = users.Usernames[u];
                if (SameBytes(name, raw, colon) && SameText(users.DigestHashes[u], ha1))
                {
                    Succeeded(client);
                    User = name;
                    return 0;
                }
            }
            return Fail(client, nowMs, "wrong user name or password");
        }

        /// <summary>RFC 7616 §3.4.1 with qop=auth: MD5(HA1:nonce:nc:cnonce:qop:MD5(method:uri)), lower-case hex.</summary>
        public static string Response(string ha1, string nonce, string nc, string cnonce, string qop, string method, string uri)
        {
            string ha2 = Md5.HexOf(method + ":" + uri);
            return Md5.HexOf(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
        }

        /// <summary>A fresh nonce: 16 hex digits of the time (ms), 8 of a counter, 32 of the tag.</summary>
        public string NewNonce(long nowMs)
        {
            counter++;
            string head = Hex((ulong)nowMs, 16) + Hex((uint)counter, 8);
            return head + Md5.HexOf(secret + ":" + head);
        }

        /// <summary>Ours (the tag matches), not from the future, and younger than <see cref="NonceLifetimeMs"/>.</summary>
        public bool NonceValid(string nonce, long nowMs)
        {
            if (nonce.Length != 56)
                return false;
            string head = nonce.Substring(0, 24);
            if (!SameText(Md5.HexOf(secret + ":" + head), nonce.Substring(24)))
                return false;
            long issued = ParseHex(nonce.Substring(0, 16));
            return issued >= 0 && issued <= nowMs && nowMs - issued < NonceLifetimeMs;
        }

        /// <summary>Each nc once per nonce: higher than any seen, or within 32 behind the highest and not seen.</summary>
        bool Fresh(string nonce, long nc, long nowMs)
        {
            int slot = -1, oldest = -1;
            for (int i = 0; i < NonceSlots && slot < 0; i++)
            {
                if (slotNonce[i] == nonce)
                    slot = i;
                else if (oldest < 0 || slotNonce[oldest] != null && (slotNonce[i] == null || slotUsedMs[i] < slotUsedMs[oldest]))
                    oldest = i; // a free slot, else the one used longest ago
            }
            if (slot < 0)
            {
                slot = oldest;
                slotNonce[slot] = nonce;
                slotHighest[slot] = nc;
                slotSeen[slot] = 1;
                slotUsedMs[slot] = nowMs;
                return true;
            }
            slotUsedMs[slot] = nowMs;
            long highest = slotHighest[slot];
            if (nc > highest)
            {
                long shift = nc - highest;
                slotSeen[slot] = shift >= 32 ? 1u : (slotSeen[slot] << (int)shift) | 1u;
                slotHighest[slot] = nc;
                return true;
            }
            long behind = highest - nc;
            if (behind >= 32)
                return false;
            uint bit = 1u << (int)behind;
            if ((slotSeen[slot] & bit) != 0)
                return false;
            slotSeen[slot] |= bit;
            return true;
        }

        int Refuse(long nowMs, bool stale, string message)
        {
            Message = message;
            Challenge = "Digest realm=\"" + UsersConfig.Realm + "\", qop=\"auth\", algorithm=MD5, nonce=\"" + NewNonce(nowMs) + "\""
                + (stale ? ", stale=true" : "");
            return Unauthorized;
        }

        int Fail(string client, long nowMs, string message)
        {
            int at = Find(client);
            if (at < 0)
                at = Claim(client);
            if (nowMs - lastFailureMs[at] > ForgetFailuresMs)
                failures[at] = 0;
            failures[at]++;
            lastFailureMs[at] = nowMs;
            if (failures[at] > FreeFailures)
            {
                long block = 1000;
                for (int i = FreeFailures + 1; i < failures[at] && block < MaxBlockMs; i++)
                    block *= 2;
                blockedUntilMs[at] = nowMs + block;
            }
            return Refuse(nowMs, false, message);
        }

        /// <summary>How many failures are counted for the address now (tests, state).</summary>
        public int FailuresOf(string client)
        {
            int at = Find(client);
            return at < 0 ? 0 : failures[at];
        }

        void Succeeded(string client)
        {
            int at = Find(client);
            if (at >= 0)
            {
                failures[at] = 0;
                blockedUntilMs[at] = 0;
            }
        }

        int Find(string client)
        {
            if (client == null)
                return -1;
            for (int i = 0; i < Sources; i++)
                if (source[i] == client)
                    return i;
            return -1;
        }

        /// <summary>A free entry, else the one whose last failure is oldest.</summary>
        int Claim(string client)
        {
            int at = 0;
            for (int i = 0; i < Sources; i++)
            {
                if (source[i] == null)
                {
                    at = i;
                    break;
                }
                if (lastFailureMs[i] < lastFailureMs[at])
                    at = i;
            }
            source[at] = client;
            failures[at] = 0;
            blockedUntilMs[at] = 0;
            lastFailureMs[at] = 0;
            return at;
        }

        static string Hex(ulong v, int digits)
        {
            const string h = "0123456789abcdef";
            char[] c = new char[digits];
            for (int i = digits - 1; i >= 0; i--)
            {
                c[i] = h[(int)(v & 15)];
                v >>= 4;
            }
            return new string(c);
        }

        /// <summary>The value of up to 15 hex digits, or -1.</summary>
        static long ParseHex(string s)
        {
            if (s.Length == 0 || s.Length > 16)
                return -1;
            long v = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char ch = s[i];
                int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
                if (d < 0)
                    return -1;
                v = (v << 4) | (long)d;
            }
            return v < 0 ? -1 : v;
        }

        /// <summary>Equal text without an early exit (the time does not tell how much of a response was right).</summary>
        static bool SameText(string a, string b)
        {
            if (a == null || b == null || a.Length != b.Length)
                return false;
            int diff = 0;
            for (int i = 0; i < a.Length; i++)
                diff |= a[i] ^ b[i];
            return diff == 0;
        }

        static bool SameBytes(string text, byte[] raw, int length)
        {
            byte[] utf8 = new byte[text.Length * 3];
            int n = Utf8Text.Encode(text, utf8);
            if (n != length)
                return false;
            for (int i = 0; i < n; i++)
                if (utf8[i] != raw[i])
                    return false;
            return true;
        }

        static bool StartsWithIgnoreCase(string s, string prefix)
        {
            return s.Length >= prefix.Length && Ascii.EqualsIgnoreCase(s.Substring(0, prefix.Length), prefix);
        }
    }

    /// <summary>The parameters of a Digest Authorization header (RFC 7616 §3.4): name=token or name="quoted", comma separated.</summary>
    public sealed class DigestFields
    {
        public string Username, Realm, Nonce, Uri, Response, Qop, Nc, Cnonce, Algorithm, Opaque;

        /// <summary>Null when malformed (an unclosed quote, a missing '=').</summary>
        public static DigestFields Parse(string s)
        {
            DigestFields d = new DigestFields();
            int i = 0;
            while (true)
            {
                while (i < s.Length && (s[i] == ' ' || s[i] == ',' || s[i] == '\t'))
                    i++;
                if (i >= s.Length)
                    return d;
                int start = i;
                while (i < s.Length && s[i] != '=' && s[i] != ' ')
                    i++;
                string name = s.Substring(start, i - start).ToLower();
                while (i < s.Length && s[i] == ' ')
                    i++;
                if (i >= s.Length || s[i] != '=')
                    return null;
                i++;
                while (i < s.Length && s[i] == ' ')
                    i++;
                string value;
                if (i < s.Length && s[i] == '"')
                {
                    i++;
                    char[] buffer = new char[s.Length];
                    int n = 0;
                    bool closed = false;
                    while (i < s.Length)
                    {
                        char ch = s[i++];
                        if (ch == '\\' && i < s.Length)
                            ch = s[i++];
                        else if (ch == '"')
                        {
                            closed = true;
                            break;
                        }
                        buffer[n++] = ch;
                    }
                    if (!closed)
                        return null;
                    value = new string(buffer, 0, n);
                }
                else
                {
                    start = i;
                    while (i < s.Length && s[i] != ',' && s[i] != ' ')
                        i++;
                    value = s.Substring(start, i - start);
                }
                if (name == "username") d.Username = value;
                else if (name == "realm") d.Realm = value;
                else if (name == "nonce") d.Nonce = value;
                else if (name == "uri") d.Uri = value;
                else if (name == "response") d.Response = value;
                else if (name == "qop") d.Qop = value;
                else if (name == "nc") d.Nc = value;
                else if (name == "cnonce") d.Cnonce = value;
                else if (name == "algorithm") d.Algorithm = value;
                else if (name == "opaque") d.Opaque = value;
            }
        }
    }

    /// <summary>Base64 (RFC 4648) decoding for Basic credentials; null when malformed.</summary>
    public static class Base64
    {
        public static byte[] Decode(string s)
        {
            int length = s.Length;
            while (length > 0 && s[length - 1] == '=')
                length--;
            if (s.Length % 4 != 0 || s.Length - length > 2)
                return null;
            byte[] output = new byte[length * 3 / 4];
            int bits = 0, count = 0, n = 0;
            for (int i = 0; i < length; i++)
            {
                char ch = s[i];
                int v = ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26 : ch >= '0' && ch <= '9' ? ch - '0' + 52
                    : ch == '+' ? 62 : ch == '/' ? 63 : -1;
                if (v < 0)
                    return null;
                bits = (bits << 6) | v;
                count += 6;
                if (count >= 8)
                {
                    count -= 8;
                    output[n++] = (byte)(bits >> count);
                    bits &= (1 << count) - 1;
                }
            }
            return n == output.Length ? output : null;
        }
    }
}
