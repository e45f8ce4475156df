using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace VideoAspire.Domain;

/// <summary>The one definition of a well-formed YouTube channel id.</summary>
public static partial class ChannelId
{
    public const int Length = 24;

    public const string Pattern = "^UC[A-Za-z0-9_-]{22}$";

    public static bool IsValid([NotNullWhen(true)] string? value) =>
        value is { Length: Length } && ValidPattern().IsMatch(value);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex ValidPattern();
}
