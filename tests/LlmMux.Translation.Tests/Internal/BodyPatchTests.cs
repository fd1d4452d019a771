using System.Text;
using System.Text.Json;
using LlmMux.Translation.Internal;

namespace LlmMux.Translation.Tests.Internal;

/// <summary>The same-dialect splice: one pass over the top level, everything not edited kept byte for byte.</summary>
public sealed class BodyPatchTests
{
    private static string Splice(string body, params BodyEdit[] edits)
    {
        using var result = BodyPatch.Splice(Encoding.UTF8.GetBytes(body), edits);
        return Encoding.UTF8.GetString(result.ToArray());
    }

    private static BodyEdit Set(string name, string json) => new(name, w => w.WriteRawValue(json));

    [Fact]
    public void Rewriting_the_model_changes_only_that_value()
    {
        const string body = "{ \"model\" : \"smart\",\n  \"x\": {\"model\": \"keep\"}, \"unknown_field\": [1, 2.50, \"\\u00e9\"] }";
        var rewritten = Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(body), Dialect.OpenAIChat, Dialect.OpenAIChat, new RequestOverrides { Model = "gpt-4.1\"q" });
        Assert.Equal(body.Replace("\"smart\"", "\"gpt-4.1\\u0022q\"", StringComparison.Ordinal), Encoding.UTF8.GetString(rewritten));
    }

    [Fact]
    public void Rewriting_handles_an_escaped_original_value()
    {
        var rewritten = Translator.Default.TranslateRequest("{\"model\":\"a\\u0062c\"}"u8.ToArray(), Dialect.Anthropic, Dialect.Anthropic, new RequestOverrides { Model = "xyz" });
        Assert.Equal("{\"model\":\"xyz\"}", Encoding.UTF8.GetString(rewritten));
    }

    [Theory]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3}", "a", "{\"b\":2,\"c\":3}")]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3}", "b", "{\"a\":1,\"c\":3}")]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3}", "c", "{\"a\":1,\"b\":2}")]
    [InlineData("{ \"a\" : 1 ,\n \"b\": [2] }", "a", "{\"b\": [2] }")]
    [InlineData("{\"a\":1}", "a", "{}")]
    [InlineData("{\"a\":1}", "z", "{\"a\":1}")]
    public void Removing_a_property_takes_its_separator(string body, string name, string expected) =>
        Assert.Equal(expected, Splice(body, new BodyEdit(name, null)));

    [Fact]
    public void Removing_several_neighbours_leaves_valid_json()
    {
        var result = Splice("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", new BodyEdit("a", null), new BodyEdit("b", null), new BodyEdit("d", null));
        Assert.Equal("{\"c\":3}", result);
    }

    [Fact]
    public void Added_properties_go_last_and_set_ones_stay_in_place()
    {
        Assert.Equal("{\"a\":true, \"b\" :2,\"n\":\"x\"}\n", Splice("{\"a\":1, \"b\" :2}\n", Set("a", "true"), Set("n", "\"x\"")));
        Assert.Equal("{\"n\":1}", Splice("{}", Set("n", "1")));
        Assert.Equal("{\"n\":1}", Splice("{\"a\":0}", new BodyEdit("a", null), Set("n", "1")));
    }

    [Fact]
    public void A_duplicate_of_an_edited_name_is_dropped()
    {
        Assert.Equal("{\"model\":\"new\",\"x\":1}", Splice("{\"model\":\"a\",\"x\":1,\"model\":\"b\"}", Set("model", "\"new\"")));
    }

    [Fact]
    public void An_edit_can_keep_what_the_body_holds()
    {
        var keepStrings = new BodyEdit("i", null) { Edit = (existing, w) => existing.Length > 2 ? EditResult.Keep : Write(w) };
        Assert.Equal("{\"i\":\"mine\"}", Splice("{\"i\":\"mine\"}", keepStrings));
        Assert.Equal("{\"i\":\"default\"}", Splice("{\"i\":\"\"}", keepStrings));
        Assert.Equal("{\"x\":1,\"i\":\"default\"}", Splice("{\"x\":1}", keepStrings));

        static EditResult Write(Utf8JsonWriter w)
        {
            w.WriteStringValue("default");
            return EditResult.Write;
        }
    }

    [Theory]
    [InlineData("{\"model\":")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":[1,}")]
    public void Malformed_bodies_are_invalid_json(string body)
    {
        var ex = Assert.Throws<TranslationException>(() => Translator.Default.TranslateRequest(Encoding.UTF8.GetBytes(body), Dialect.OpenAIChat, Dialect.OpenAIChat, new RequestOverrides { Model = "m" }));
        Assert.Equal(TranslationErrorKind.InvalidJson, ex.Kind);
    }

    [Fact]
    public void A_body_that_is_not_an_object_is_the_wrong_type()
    {
        var ex = Assert.Throws<TranslationException>(() => Translator.Default.TranslateRequest("[1]"u8, Dialect.OpenAIChat, Dialect.OpenAIChat, new RequestOverrides { Model = "m" }));
        Assert.Equal(TranslationErrorKind.WrongType, ex.Kind);
    }

    [Fact]
    public void An_edited_body_is_made_of_slices_of_the_original()
    {
        var original = Encoding.UTF8.GetBytes("{\"model\":\"a\",\"messages\":[" + string.Join(',', Enumerable.Repeat("{\"role\":\"user\",\"content\":\"hi\"}", 200)) + "]}");
        using var body = Translator.Default.TranslateRequestBody(original, Dialect.OpenAIChat, Dialect.OpenAIChat, new RequestOverrides { Model = "b" });
        Assert.Equal(original.Length, body.Length);
        var sequence = body.Sequence;
        Assert.False(sequence.IsSingleSegment);
        foreach (var segment in sequence)
        {
            Assert.True(segment.Length < 16 || System.Runtime.InteropServices.MemoryMarshal.TryGetArray(segment, out var array) && ReferenceEquals(array.Array, original));
        }
    }
}
