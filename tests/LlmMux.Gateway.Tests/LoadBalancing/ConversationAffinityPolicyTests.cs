using LlmMux.Gateway.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.SessionAffinity;

namespace LlmMux.Gateway.Tests.LoadBalancing;

public sealed class ConversationAffinityPolicyTests
{
    private static readonly string[] Accounts = ["a1", "a2", "a3", "a4"];
    private readonly ConversationAffinityPolicy _policy = new();

    [Fact]
    public void A_conversation_keeps_its_account_and_comes_back_after_it_cools()
    {
        var cluster = Clusters.Of(Accounts);
        var home = Pick(cluster, "conversation-42", Accounts);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(home, Pick(cluster, "conversation-42", Accounts)));

        var others = Accounts.Where(a => a != home).ToArray();
        var away = Pick(cluster, "conversation-42", others);
        Assert.NotEqual(home, away);
        Assert.Equal(home, Pick(cluster, "conversation-42", Accounts));
    }

    [Fact]
    public void Losing_an_account_moves_only_its_own_conversations()
    {
        var cluster = Clusters.Of(Accounts);
        var sessions = Enumerable.Range(0, 64).Select(i => $"s{i}").ToList();
        var before = sessions.ToDictionary(s => s, s => Pick(cluster, s, Accounts));
        var gone = before.Values.GroupBy(a => a).MaxBy(g => g.Count())!.Key;
        var left = Accounts.Where(a => a != gone).ToArray();

        Assert.All(sessions.Where(s => before[s] != gone), s => Assert.Equal(before[s], Pick(cluster, s, left)));
        Assert.True(before.Values.Distinct().Count() > 1, "conversations spread over the accounts");
    }

    [Fact]
    public void Without_a_conversation_id_the_strategy_decides()
    {
        var cluster = Clusters.Of(Accounts);
        var result = _policy.FindAffinitizedDestinations(new DefaultHttpContext(), cluster, ConversationAffinityPolicy.Config, Clusters.Available(cluster, Accounts));
        Assert.Equal(AffinityStatus.AffinityKeyNotSet, result.Status);
        Assert.Null(result.Destinations);
    }

    private static string Pick(ClusterState cluster, string session, string[] available)
        => ConversationAffinityPolicy.Pick(session, Clusters.Available(cluster, available)).DestinationId;
}
