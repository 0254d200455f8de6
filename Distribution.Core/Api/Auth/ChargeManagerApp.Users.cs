using ChargeManager.Distribution.Api.Auth;
using ChargeManager.Distribution.Json;

namespace ChargeManager.Distribution.Api
{
    /// <summary>users/config on the app: read, validated write, stored atomically, applied live (the next request is checked against it).</summary>
    public sealed partial class ChargeManagerApp
    {
        /// <summary>The users in force; <see cref="HttpAuth"/> checks requests against them.</summary>
        public UsersConfig Users;

        int HandleUsers(string method, string path, byte[] body, int length, long nowMs)
        {
            bool update = path.EndsWith("_update");
            JsonNode node;
            int status = Accept(method, path, update, true, body, length, out node);
            if (status == ReadRequest)
            {
                Users.Write(Response);
                return 200;
            }
            if (status != 0)
                return status;
            string error;
            UsersConfig fresh = UsersConfig.Read(node, Users, out error);
            if (fresh == null)
                return Fail(400, error);
            Response.Reset();
            fresh.WriteStored(Response);
            StoreResponse(UsersConfig.File);
            Users = fresh;
            Log.Add(nowMs, "users configuration applied: HTTP authentication " + (fresh.HttpAuthEnabled ? "on" : "off") + ", "
                + fresh.Usernames.Length.ToString() + " users");
            return 200;
        }
    }
}
