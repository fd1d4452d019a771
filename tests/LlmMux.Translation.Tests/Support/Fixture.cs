using System.Text;

namespace LlmMux.Translation.Tests.Support;

internal static class Fixture
{
    public static byte[] Bytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath));

    public static string Text(string relativePath) => Encoding.UTF8.GetString(Bytes(relativePath));
}
