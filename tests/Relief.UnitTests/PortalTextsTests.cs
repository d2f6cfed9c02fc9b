using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Relief.UnitTests;

/// <summary>The portal speaks Chinese by default and English on request: every Chinese text it shows has its English.</summary>
public sealed partial class PortalTextsTests
{
    [Fact]
    public void Every_text_of_the_portal_has_an_English_entry_and_no_entry_is_left_over()
    {
        var portal = Path.Combine(RepositoryRoot(), "Services", "Portal", "Portal.Web");
        var shown = Directory.EnumerateFiles(Path.Combine(portal, "Components"), "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => LocalizerKey().Matches(File.ReadAllText(file)).Select(match => match.Groups[1].Value))
            .Concat(DictionaryValue().Matches(File.ReadAllText(Path.Combine(portal, "Localization", "Texts.cs"))).Select(match => match.Groups[1].Value))
            .Concat(CodeKey().Matches(File.ReadAllText(Path.Combine(portal, "Localization", "Texts.cs"))).Select(match => match.Groups[1].Value))
            .ToHashSet();
        var english = XDocument.Load(Path.Combine(portal, "Localization", "Texts.en.resx")).Root!.Elements("data")
            .ToDictionary(data => (string)data.Attribute("name")!, data => (string)data.Element("value")!);

        Assert.NotEmpty(shown);
        var untranslated = shown.Where(text => !english.ContainsKey(text)).ToList();
        Assert.True(untranslated.Count == 0, "No English for: " + string.Join(" | ", untranslated));
        var leftOver = english.Keys.Where(text => !shown.Contains(text)).ToList();
        Assert.True(leftOver.Count == 0, "English for texts no page shows: " + string.Join(" | ", leftOver));
        Assert.All(english, pair => Assert.False(string.IsNullOrWhiteSpace(pair.Value), pair.Key));
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder!.FullName, "Relief.sln")))
        {
            folder = folder.Parent;
        }

        return folder.FullName;
    }

    [GeneratedRegex("L\\[\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LocalizerKey();

    [GeneratedRegex("localizer\\[\"([^\"]+)\"\\]")]
    private static partial Regex CodeKey();

    [GeneratedRegex("\\] = \"([^\"]+)\",")]
    private static partial Regex DictionaryValue();
}
