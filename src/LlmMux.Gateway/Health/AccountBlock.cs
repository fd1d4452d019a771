namespace LlmMux.Gateway.Health;

/// <summary>
/// A block of an account (<see cref="Model"/> null) or of one model on it, until <see cref="Until"/>, as replicas
/// share them (<see cref="AccountStateStore.Blocked"/>, <see cref="AccountStateStore.Apply"/>).
/// </summary>
/// <param name="Strikes">The back-off level: how many blocks in a row led here.</param>
public sealed record AccountBlock(string DestinationId, string? Model, DateTimeOffset Until, AccountCondition Condition, int Strikes, string? Detail);
