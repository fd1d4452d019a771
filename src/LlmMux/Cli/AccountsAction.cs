namespace LlmMux.Cli;

/// <summary>What <c>llm-mux accounts</c> does; every action but <see cref="List"/> takes an account id.</summary>
internal enum AccountsAction
{
    List,
    Remove,
    Disable,
    Enable,
}
