using BenchmarkDotNet.Running;

namespace LlmMux.Gateway.Benchmarks;

internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
