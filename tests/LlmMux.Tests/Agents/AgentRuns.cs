namespace LlmMux.Tests.Agents;

/// <summary>The agent tests run one at a time: each is an agent, a gateway and a fake, and on two cores several at once
/// would only make each slower.</summary>
[CollectionDefinition(Name)]
public sealed class AgentRuns
{
    public const string Name = "real agents";
}
