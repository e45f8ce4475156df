using System.Buffers;
using System.Text.Json;
using Npgsql;

/// <summary>The ceilings' read: the latest-five query on a prepared statement, written straight to the answer's JSON.</summary>
internal static class LatestFive
{
    public static NpgsqlDataSource DataSource(string connectionString) =>
        new NpgsqlDataSourceBuilder(connectionString + ";Max Auto Prepare=4;No Reset On Close=true").Build();

    public static async Task<byte[]> ReadAsync(NpgsqlDataSource dataSource, string channelId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT video_id, title, published_at FROM videos WHERE channel_id = $1 ORDER BY published_at DESC, video_id DESC LIMIT 5",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channelId });
        await using var reader = await command.ExecuteReaderAsync();
        var buffer = new ArrayBufferWriter<byte>(1024);
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray(channelId);
            while (await reader.ReadAsync())
            {
                var published = reader.GetFieldValue<DateTime>(2);
                json.WriteStartObject();
                json.WriteString("video_id", reader.GetString(0));
                json.WriteString("video_title", reader.GetString(1));
                json.WriteString("upload_date", published.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("published_at", published);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
