namespace LlmMux.Gateway.Dashboard;

/// <summary>
/// One signed-in browser, as kept in memory and, in a cluster, in Redis under the hash of its cookie's id (never the
/// id itself). <paramref name="Fingerprint"/> is an HMAC of the management secret keyed by the cookie's id: it ties the
/// session to the secret it was made under without putting anything in Redis that tells a reader the secret.
/// </summary>
internal sealed record DashboardSession(string Csrf, DateTimeOffset Expires, byte[] Fingerprint);
