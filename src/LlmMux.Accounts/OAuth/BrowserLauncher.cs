using System.ComponentModel;
using System.Diagnostics;

namespace LlmMux.Accounts.OAuth;

/// <summary>Opens a URL in the user's browser; false when that is not possible (headless machine).</summary>
public static class BrowserLauncher
{
    public static bool TryOpen(string url)
    {
        try
        {
            ProcessStartInfo info;
            if (OperatingSystem.IsWindows())
            {
                info = new ProcessStartInfo(url) { UseShellExecute = true };
            }
            else if (OperatingSystem.IsMacOS())
            {
                info = new ProcessStartInfo("open") { ArgumentList = { url } };
            }
            else
            {
                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
                    && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
                {
                    return false;
                }

                info = new ProcessStartInfo("xdg-open") { ArgumentList = { url } };
            }

            info.RedirectStandardOutput = !info.UseShellExecute;
            info.RedirectStandardError = !info.UseShellExecute;
            using var process = Process.Start(info);
            return process is not null;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
