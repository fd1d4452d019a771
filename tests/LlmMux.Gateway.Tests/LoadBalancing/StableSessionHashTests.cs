using LlmMux.Gateway.LoadBalancing;

namespace LlmMux.Gateway.Tests.LoadBalancing;

/// <summary>The end-to-end proof across two processes is in LlmMux.Tests (ClaudeCodeGatewayEndToEndTests); this pins
/// the hash itself, so a change of algorithm (which would move every conversation once) is a deliberate one.</summary>
public sealed class StableSessionHashTests
{
    [Fact]
    public void The_hash_is_xxhash3_of_the_utf8_text_whatever_the_process()
    {
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64("conversation-42"u8), ConversationAffinityPolicy.StableHash("conversation-42", 0));
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64("sessión"u8, 7), ConversationAffinityPolicy.StableHash("sessión", 7));
        Assert.Equal(ConversationAffinityPolicy.StableHash(new string('s', 2000), 1), ConversationAffinityPolicy.StableHash(new string('s', 2000), 1));
    }
}
