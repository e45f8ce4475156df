using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace VideoAspire.Redis.Caching;

/// <summary>
/// How a channel's latest-five entry is stored in Redis: a compact binary form (about 70 bytes a video with a
/// 50-character title, against 130 as JSON), behind a header saying until when it is fresh. Past that it is stale: still
/// served while PostgreSQL cannot answer, up to <see cref="CacheOptions.MaxStaleness"/>.
/// </summary>
/// <remarks>
/// Hand-written: five fixed-shape records, read on every cached read; a serializer library would add a dependency for
/// 60 lines. Layout (integers little-endian): version (1 byte), fresh-until (Unix ms, 8), count (1), then per video:
/// id length (1), id (UTF-8), published-at (UTC ticks, 8), title length (7-bit varint), title (UTF-8).
/// A value in any other form (an older version, garbage) reads as no entry.
/// </remarks>
public static class LatestVideosEntry
{
    private const byte Version = 1;

    /// <summary>Bytes before the videos: a re-warm compares what follows them to tell whether the list changed.</summary>
    public const int HeaderLength = 1 + 8;

    public static byte[] Encode(IReadOnlyList<LatestVideo> videos, DateTimeOffset freshUntil)
    {
        var buffer = new ArrayBufferWriter<byte>(HeaderLength + 1 + videos.Count * 96);
        var header = buffer.GetSpan(HeaderLength + 1);
        header[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(header[1..], freshUntil.ToUnixTimeMilliseconds());
        header[HeaderLength] = (byte)videos.Count;
        buffer.Advance(HeaderLength + 1);
        foreach (var video in videos)
        {
            WriteString(buffer, video.VideoId, lengthAsVarint: false);
            BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), video.PublishedAt.Ticks);
            buffer.Advance(8);
            WriteString(buffer, video.VideoTitle, lengthAsVarint: true);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <returns>False when the value is not an entry of this form.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> value, out IReadOnlyList<LatestVideo> videos, out DateTimeOffset freshUntil)
    {
        videos = [];
        freshUntil = default;
        if (value.Length < HeaderLength + 1 || value[0] != Version)
        {
            return false;
        }

        freshUntil = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(value[1..]));
        var count = value[HeaderLength];
        var rest = value[(HeaderLength + 1)..];
        var list = new LatestVideo[count];
        for (var i = 0; i < count; i++)
        {
            if (!TryReadString(ref rest, lengthAsVarint: false, out var id) || rest.Length < 8)
            {
                return false;
            }

            var ticks = BinaryPrimitives.ReadInt64LittleEndian(rest);
            rest = rest[8..];
            if (ticks is < 0 or > 3155378975999999999 || !TryReadString(ref rest, lengthAsVarint: true, out var title))
            {
                return false;
            }

            list[i] = LatestVideo.Create(id, title, new DateTimeOffset(ticks, TimeSpan.Zero));
        }

        videos = list;
        return rest.IsEmpty;
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string text, bool lengthAsVarint)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var span = buffer.GetSpan(5 + length);
        var prefix = 0;
        if (lengthAsVarint)
        {
            for (var remaining = (uint)length; ; remaining >>= 7)
            {
                span[prefix++] = (byte)(remaining < 0x80 ? remaining : (remaining & 0x7F) | 0x80);
                if (remaining < 0x80)
                {
                    break;
                }
            }
        }
        else
        {
            span[prefix++] = checked((byte)length); // video ids are 11 characters
        }

        Encoding.UTF8.GetBytes(text, span[prefix..]);
        buffer.Advance(prefix + length);
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> rest, bool lengthAsVarint, out string text)
    {
        text = "";
        var length = 0;
        var read = 0;
        if (lengthAsVarint)
        {
            for (var shift = 0; ; shift += 7)
            {
                if (read >= rest.Length || shift > 28)
                {
                    return false;
                }

                var part = rest[read++];
                length |= (part & 0x7F) << shift;
                if (part < 0x80)
                {
                    break;
                }
            }
        }
        else if (rest.Length > 0)
        {
            length = rest[read++];
        }
        else
        {
            return false;
        }

        if (length < 0 || rest.Length - read < length)
        {
            return false;
        }

        text = Encoding.UTF8.GetString(rest.Slice(read, length));
        rest = rest[(read + length)..];
        return true;
    }
}
