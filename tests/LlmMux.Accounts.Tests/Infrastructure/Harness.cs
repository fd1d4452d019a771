using LlmMux.Accounts.Refresh;
using LlmMux.Accounts.Store;

namespace LlmMux.Accounts.Tests.Infrastructure;

/// <summary>A store and the credential service over it, disposed together.</summary>
public sealed record Harness(AccountStore Store, CredentialService Service) : IDisposable
{
    public void Dispose()
    {
        Service.Dispose();
        Store.Dispose();
    }
}
