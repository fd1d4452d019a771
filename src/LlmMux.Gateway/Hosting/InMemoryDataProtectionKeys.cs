using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace LlmMux.Gateway.Hosting;

/// <summary>
/// YARP's reverse proxy and ASP.NET Core authentication register DataProtection (YARP's cookie/header session-affinity
/// policies encrypt with it), and its key ring is created at every start: by default written unencrypted to
/// <c>~/.aspnet/DataProtection-Keys</c> with a "No XML encryptor configured" warning. Nothing llm-mux serves protects
/// anything with it (its account affinity is <see cref="LlmMux.Gateway.LoadBalancing.ConversationAffinityPolicy"/>, the
/// dashboard's session is server-side), so its keys live in memory for the life of the process: no file, no warning.
/// </summary>
internal static class InMemoryDataProtectionKeys
{
    public static IServiceCollection AddInMemoryDataProtectionKeys(this IServiceCollection services) =>
        services.Configure<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new MemoryRepository();
            options.XmlEncryptor = new NullXmlEncryptor(); // the keys never leave the process: nothing to encrypt them for
        });

    private sealed class MemoryRepository : IXmlRepository
    {
        private readonly List<XElement> _elements = [];
        private readonly Lock _lock = new();

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            lock (_lock)
            {
                return _elements.Select(e => new XElement(e)).ToList();
            }
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            lock (_lock)
            {
                _elements.Add(new XElement(element));
            }
        }
    }
}
