using Npgsql;
using NpgsqlTypes;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>Writes channels and videos straight into PostgreSQL, as another process keeping the data current would.</summary>
public static class TestCatalog
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static string NewChannelId() => "UC" + RandomId(22);

    public static string NewVideoId() => RandomId(11);

    public static async Task AddChannelAsync(this NpgsqlDataSource db, string channelId, string title = "Test channel")
    {
        await using var command = db.CreateCommand("INSERT INTO channels (id, title, created_at) VALUES ($1, $2, now())");
        command.Parameters.AddWithValue(channelId);
        command.Parameters.AddWithValue(title);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task AddVideoAsync(this NpgsqlDataSource db, string channelId, string videoId, string title, DateTimeOffset publishedAt)
    {
        await using var command = db.CreateCommand(
            "INSERT INTO videos (video_id, channel_id, title, published_at) VALUES ($1, $2, $3, $4)");
        command.Parameters.AddWithValue(videoId);
        command.Parameters.AddWithValue(channelId);
        command.Parameters.AddWithValue(title);
        command.Parameters.AddWithValue(NpgsqlDbType.TimestampTz, publishedAt.UtcDateTime);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<int> ExecuteAsync(this NpgsqlDataSource db, string sql, params object[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(this NpgsqlDataSource db, string sql, params object[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>Polls until the condition holds; fails with the message after the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {timeout.TotalSeconds:F0}s waiting until {because}.");
            await Task.Delay(200);
        }
    }

    private static string RandomId(int length) =>
        string.Create(length, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
            }
        });
}
