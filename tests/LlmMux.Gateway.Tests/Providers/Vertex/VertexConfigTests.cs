using LlmMux.Gateway.Configuration;

namespace LlmMux.Gateway.Tests.Providers.Vertex;

/// <summary><c>region:</c> and <c>project:</c>: read on a vertex provider, refused elsewhere or malformed, naming key and line.</summary>
public sealed class VertexConfigTests
{
    [Fact]
    public void Region_and_project_are_read_on_a_vertex_provider()
    {
        var options = ConfigLoader.Parse("providers:\n  - name: v\n    type: vertex\n    region: us-east5\n    project: my-proj-1\n", "test.yaml");

        var provider = Assert.Single(options.Providers);
        Assert.Equal("us-east5", provider.Region);
        Assert.Equal("my-proj-1", provider.Project);
    }

    [Theory]
    [InlineData("providers:\n  - name: v\n    type: vertex\n    region: US East/5\n", "test.yaml: line 4: providers[0].region: must be a location such as global or us-east5")]
    [InlineData("providers:\n  - name: v\n    type: vertex\n    project: ../other\n", "test.yaml: line 4: providers[0].project: must be a Google Cloud project id")]
    [InlineData("providers:\n  - name: a\n    type: openai\n    region: us-east5\n", "test.yaml: line 4: providers[0].region: only type 'vertex' takes 'region'")]
    public void A_bad_or_misplaced_location_names_the_key_and_line(string yaml, string expectedStart)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml"));
        Assert.StartsWith(expectedStart, ex.Errors[0], StringComparison.Ordinal);
    }
}
