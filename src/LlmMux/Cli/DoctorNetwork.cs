using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using LlmMux.Gateway.Configuration;

namespace LlmMux.Cli;

/// <summary>
/// Whether each provider's base URL can be reached from here: its host resolves, a TCP connection opens, and for https
/// a TLS handshake completes with a valid certificate. No HTTP request is sent, so nothing is billed.
/// </summary>
internal static class DoctorNetwork
{
    public static async Task<DoctorCheck> BaseUrlAsync(ProviderOptions provider, TimeSpan timeout, CancellationToken ct)
    {
        var subject = $"provider {provider.Name}";
        var url = provider.BaseUrl ?? LlmMux.Gateway.Providers.ProviderTypes.Find(provider.Type)?.DefaultBaseUrl;
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return DoctorCheck.Fail(subject, $"base URL '{url}' is not an http(s) URL");
        }

        var host = uri.IdnHost;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return DoctorCheck.Fail(subject, e is OperationCanceledException
                ? $"{host} did not resolve within {timeout.TotalSeconds:0} s ({url})"
                : $"{host} does not resolve ({url}): check base-url and this machine's DNS");
        }

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(addresses, uri.Port, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return DoctorCheck.Fail(subject, e is OperationCanceledException
                ? $"{host}:{uri.Port} did not answer within {timeout.TotalSeconds:0} s ({url})"
                : $"{host}:{uri.Port} refused the connection ({url})");
        }

        if (uri.Scheme == "http")
        {
            return DoctorCheck.Ok(subject, $"{host}:{uri.Port} answers ({url})");
        }

        using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            return DoctorCheck.Fail(subject, e is OperationCanceledException
                ? $"{host}:{uri.Port} accepted a connection but no TLS handshake within {timeout.TotalSeconds:0} s ({url})"
                : $"TLS with {host}:{uri.Port} failed: {e.Message} ({url})");
        }

        return DoctorCheck.Ok(subject, $"{host}:{uri.Port} answers TLS ({tls.SslProtocol}) ({url})");
    }
}
