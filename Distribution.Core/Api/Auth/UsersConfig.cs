using ChargeManager.Distribution.Json;

namespace ChargeManager.Distribution.Api.Auth
{
    /// <summary>
    /// users/config (WARP's object and field names): {"http_auth_enabled": bool, "users": [{"username": "…",
    /// "password": "…"}]}. Passwords are never stored nor read back: only Digest's HA1 = MD5(username ":"
    /// realm ":" password) is kept (WARP's "digest_hash", 32 hex digits), which is exactly what HTTP Digest
    /// needs to verify a client and what Basic credentials can be checked against. Reads show each user
    /// with "password": null. A write has the strictness of charge_manager/config (every key, types,
    /// ranges, a message naming the field, nothing half-applied); a user written without a password (or
    /// with null) keeps the one it has, a new user needs one; enabling authentication without a user is
    /// rejected.
    /// </summary>
    public sealed class UsersConfig
    {
        /// <summary>The API path (without the leading slash) and the stored file.</summary>
        public const string Path = "users/config";
        public const string File = "users_config.json";

        /// <summary>When this file exists at start (deployed with nanoff, or created in the host's data directory),
        /// the users file is deleted, authentication is off, and the file is removed: the way back in.</summary>
        public const string ResetFile = "users_reset";

        /// <summary>The Digest realm; fixed, so that the stored hashes survive a renamed device.</summary>
        public const string Realm = "ChargeManager";

        /// <summary>WARP's limits: 16 active users (Ethernet boards), user names up to 32 characters.</summary>
        public const int MaxUsers = 16;
        public const int MaxUsernameLength = 32;
        public const int MaxPasswordLength = 64;

        public bool HttpAuthEnabled;
        public string[] Usernames = new string[0];
        /// <summary>HA1 per user, 32 lower-case hex digits.</summary>
        public string[] DigestHashes = new string[0];

        /// <summary>True when the stored file exists but none of its versions is valid: authentication stays on
        /// with no user (fail closed) until the reset; the event log and state say so.</summary>
        public bool Locked;

        /// <summary>HA1 of the user, or null when there is no such user (names compare exactly, as WARP's).</summary>
        public string HashOf(string username)
        {
            for (int i = 0; i < Usernames.Length; i++)
                if (Usernames[i] == username)
                    return DigestHashes[i];
            return null;
        }

        /// <summary>HA1 = MD5(username:realm:password), RFC 7616 §3.4.2.</summary>
        public static string DigestHash(string username, string password)
        {
            return Md5.HexOf(username + ":" + Realm + ":" + password);
        }

        /// <summary>
        /// A write through the API, checked against the users in force (whose hashes a user without a password
        /// keeps). Null and the message naming the field when it is not valid.
        /// </summary>
        public static UsersConfig Read(JsonNode node, UsersConfig current, out string error)
        {
            return ReadAny(node, current, false, out error);
        }

        /// <summary>The stored form ("digest_hash" instead of "password").</summary>
        public static UsersConfig ReadStored(JsonNode node, out string error)
        {
            return ReadAny(node, null, true, out error);
        }

        static UsersConfig ReadAny(JsonNode node, UsersConfig current, bool stored, out string error)
        {
            FieldReader f = new FieldReader();
            f.Begin(node, "", new string[] { "http_auth_enabled", "users" });
            bool enabled = f.Bool("http_auth_enabled");
            JsonNode list = f.Array("users", MaxUsers);
            error = f.Error;
            if (error != null)
                return null;
            UsersConfig c = new UsersConfig();
            c.HttpAuthEnabled = enabled;
            c.Usernames = new string[list.Count];
            c.DigestHashes = new string[list.Count];
            string secretKey = stored ? "digest_hash" : "password";
            for (int i = 0; i < list.Count; i++)
            {
                string at = "users[" + i.ToString() + "]";
                JsonNode u = list.Items[i];
                if (u.Kind != JsonKind.Object)
                {
                    error = at + " must be a JSON object";
                    return null;
                }
                for (int k = 0; k < u.Keys.Length; k++)
                    if (u.Keys[k] != "username" && u.Keys[k] != secretKey)
                    {
                        error = at + " has unknown key '" + u.Keys[k] + "'";
                        return null;
                    }
                JsonNode name = u.Get("username");
                if (name == null)
                {
                    error = at + " is missing key 'username'";
                    return null;
                }
                if (name.Kind != JsonKind.String)
                {
                    error = at + ".username must be a string, not " + JsonNode.KindName(name.Kind);
                    return null;
                }
                error = CheckUsername(name.Text, at + ".username");
                if (error != null)
                    return null;
                for (int k = 0; k < i; k++)
                    if (c.Usernames[k] == name.Text)
                    {
                        error = at + ".username '" + name.Text + "' is already users[" + k.ToString() + "]";
                        return null;
                    }
                c.Usernames[i] = name.Text;
                JsonNode secret = u.Get(secretKey);
                if (stored)
                {
                    if (secret == null || secret.Kind != JsonKind.String || !IsHash(secret.Text))
                    {
                        error = at + ".digest_hash must be 32 lower-case hex digits";
                        return null;
                    }
                    c.DigestHashes[i] = secret.Text;
                    continue;
                }
                if (secret == null || secret.Kind == JsonKind.Null)
                {
                    string kept = current == null ? null : current.HashOf(name.Text);
                    if (kept == null)
                    {
                        error = at + ".password is required: '" + name.Text + "' is a new user";
                        return null;
                    }
                    c.DigestHashes[i] = kept;
                    continue;
                }
                if (secret.Kind != JsonKind.String)
                {
                    error = at + ".password must be a string, not " + JsonNode.KindName(secret.Kind);
                    return null;
                }
                if (secret.Text.Length == 0)
                {
                    error = at + ".password must not be empty (leave it out, or null, to keep the current one)";
                    return null;
                }
                if (secret.Text.Length > MaxPasswordLength)
                {
                    error = at + ".password is longer than " + MaxPasswordLength.ToString() + " characters";
                    return null;
                }
                c.DigestHashes[i] = DigestHash(name.Text, secret.Text);
            }
            if (enabled && list.Count == 0)
            {
                error = "http_auth_enabled: cannot enable HTTP authentication without a user";
                return null;
            }
            return c;
        }

        /// <summary>1–32 characters; no ':' (it separates the name from the realm in HA1 and from the password in
        /// Basic), no '"' or '\' (quoted in the Digest header), no control characters.</summary>
        static string CheckUsername(string name, string field)
        {
            if (name.Length == 0)
                return field + " must not be empty";
            if (name.Length > MaxUsernameLength)
                return field + " is longer than " + MaxUsernameLength.ToString() + " characters";
            for (int i = 0; i < name.Length; i++)
            {
                char ch = name[i];
                if (ch == ':' || ch == '"' || ch == '\\' || ch < ' ' || ch == (char)127)
                    return field + " must not contain ':', '\"', '\\' or control characters";
            }
            return null;
        }

        static bool IsHash(string s)
        {
            if (s.Length != 32)
                return false;
            for (int i = 0; i < s.Length; i++)
                if (!(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f'))
                    return false;
            return true;
        }

        /// <summary>What the API shows: every user, "password": null (never read back).</summary>
        public void Write(JsonWriter w)
        {
            w.BeginObject().Property("http_auth_enabled", HttpAuthEnabled).Name("users").BeginArray();
            for (int i = 0; i < Usernames.Length; i++)
                w.BeginObject().Property("username", Usernames[i]).Name("password").Null().EndObject();
            w.EndArray().EndObject();
        }

        /// <summary>What is stored: the hashes instead of the passwords.</summary>
        public void WriteStored(JsonWriter w)
        {
            w.BeginObject().Property("http_auth_enabled", HttpAuthEnabled).Name("users").BeginArray();
            for (int i = 0; i < Usernames.Length; i++)
                w.BeginObject().Property("username", Usernames[i]).Property("digest_hash", DigestHashes[i]).EndObject();
            w.EndArray().EndObject();
        }

        /// <summary>
        /// The users at start. A reset file (see <see cref="ResetFile"/>) deletes the stored users first. Otherwise
        /// the newest of the file, .new and .bak that parses and validates; none stored: authentication off. Stored
        /// but none valid (damaged or tampered with): locked, fail closed, until the reset.
        /// </summary>
        public static UsersConfig Load(IFileStore store, JsonParser parser, EventLog log, long nowMs)
        {
            if (store.Exists(ResetFile))
            {
                string[] names = { File, File + ".new", File + ".bak", ResetFile };
                for (int i = 0; i < names.Length; i++)
                    if (store.Exists(names[i]))
                        store.Delete(names[i]);
                log.Add(nowMs, ResetFile + " found: the users were deleted, HTTP authentication is off");
                return new UsersConfig();
            }
            bool any = false;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                string name = attempt == 0 ? File : attempt == 1 ? File + ".new" : File + ".bak";
                byte[] data = store.Read(name);
                if (data == null)
                    continue;
                any = true;
                JsonNode node = parser.Parse(data, data.Length);
                string error;
                UsersConfig c = node == null ? null : ReadStored(node, out error);
                if (c != null)
                {
                    if (attempt > 0)
                        log.Add(nowMs, "using " + name);
                    return c;
                }
            }
            UsersConfig locked = new UsersConfig();
            if (any)
            {
                locked.HttpAuthEnabled = true;
                locked.Locked = true;
                log.Add(nowMs, "stored " + File + " is not valid: HTTP authentication stays on with no user (locked); reset it with " + ResetFile);
            }
            return locked;
        }
    }
}
