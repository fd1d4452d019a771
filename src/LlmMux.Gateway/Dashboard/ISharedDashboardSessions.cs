namespace LlmMux.Gateway.Dashboard;

/// <summary>
/// Where the other replicas of a cluster keep the dashboard's sessions, so that a browser signed in on one replica is
/// signed in on all of them behind a load balancer, and signing out on one signs out on all. Registered only in a
/// cluster; each call degrades to "not shared" while Redis is away.
/// </summary>
internal interface ISharedDashboardSessions
{
    /// <summary>Raised with a session's key when another replica ended it.</summary>
    event Action<string>? Ended;

    /// <summary>Raised when Redis is reachable again: the sessions this replica knows are written back (Redis may have lost them).</summary>
    event Action? Restored;

    Task SaveAsync(string key, DashboardSession session);

    /// <summary>The session under <paramref name="key"/>; <c>Answered</c> is false when Redis could not be asked.</summary>
    Task<(bool Answered, DashboardSession? Session)> FindAsync(string key, CancellationToken cancellationToken);

    void Remove(string key);
}
