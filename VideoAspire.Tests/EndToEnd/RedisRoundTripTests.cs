using StackExchange.Redis;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// What a read costs Redis, counted by Redis itself (<c>INFO commandstats</c>): the real Api process on the integration
/// servers, which nothing else uses meanwhile.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(StoresCollection.Name)]
public sealed class RedisRoundTripTests(StoresFixture stores)
{
    private static readonly string[] DataCommands = ["get", "mget", "set", "exists", "eval", "evalsha", "hget", "hset", "sadd", "del", "incr"];

    [Fact]
    public async Task A_read_that_misses_memory_costs_one_redis_command_and_a_memory_hit_none()
    {
        var port = LocalProcess.FreePort();
        var settings = new Dictionary<string, string>(stores.ConnectionStrings.ToDictionary(p => p.Key, p => p.Value!))
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Auth:AllowAnonymousReads"] = "true",
            ["YouTube:ApiBaseUrl"] = "http://127.0.0.1:9",
            ["YouTube:FeedBaseUrl"] = "http://127.0.0.1:9",
        };
        await using var api = ServiceProcess.StartApi(settings);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await TestCatalog.EventuallyAsync(async () =>
        {
            try
            {
                return (await client.GetAsync("/alive")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"the Api is up\n{api.Log}");
        var channelId = TestCatalog.NewChannelId();
        await stores.Database.AddChannelAsync(channelId);
        await stores.Database.AddVideoAsync(channelId, TestCatalog.NewVideoId(), "Stored", DateTimeOffset.UtcNow.AddDays(-1));
        var redis = stores.Redis.GetDatabase();

        // First read: no entry. One read (the entry and the write version together), then PostgreSQL, then the fill,
        // sent without waiting for it: one script, whose own commands (the deletion mark, the version, the set) Redis
        // counts as well.
        var first = await CommandsOfAsync(redis, () => client.GetAsync($"/videos?channel_id={channelId}"));
        Assert.Equal(new Dictionary<string, long> { ["mget"] = 1, ["script"] = 1, ["exists"] = 1, ["get"] = 1, ["set"] = 1 }, first);

        // Second read: not in this instance's memory yet, answered from the entry: one command, one round trip (no
        // output-cache copy in Redis to look up or to write).
        Assert.Equal(new Dictionary<string, long> { ["mget"] = 1 }, await CommandsOfAsync(redis, () => client.GetAsync($"/videos?channel_id={channelId}")));

        // Third read: from this instance's memory, no Redis at all.
        Assert.Empty(await CommandsOfAsync(redis, () => client.GetAsync($"/videos?channel_id={channelId}")));
    }

    /// <summary>
    /// The data commands Redis ran while <paramref name="read"/> ran, and for a moment after (fills are not awaited);
    /// <c>EVAL</c> and <c>EVALSHA</c> count as one "script".
    /// </summary>
    private static async Task<Dictionary<string, long>> CommandsOfAsync(IDatabase redis, Func<Task<HttpResponseMessage>> read)
    {
        await redis.ExecuteAsync("CONFIG", "RESETSTAT");
        using (var response = await read())
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await Task.Delay(300);
        // Lines like "cmdstat_mget:calls=1,usec=5,…".
        var counts = ((string)(await redis.ExecuteAsync("INFO", "commandstats"))!)
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("cmdstat_", StringComparison.Ordinal))
            .Select(line => (Command: line["cmdstat_".Length..line.IndexOf(':')], Calls: long.Parse(line.Split("calls=")[1].Split(',')[0])))
            .Where(stat => DataCommands.Contains(stat.Command))
            .GroupBy(stat => stat.Command is "eval" or "evalsha" ? "script" : stat.Command)
            .ToDictionary(group => group.Key, group => group.Sum(stat => stat.Calls));
        return counts;
    }
}
