using EmailMonitor.Analysis;
using EmailMonitor.Search;

namespace EmailMonitor.Tests.Search;

public sealed class SearchWordsTests
{
    [Fact]
    public void An_email_is_found_by_the_words_of_its_subject_sender_recipients_attachment_names_and_text()
    {
        var email = new EmailEvent
        {
            Id = "x",
            ReceivedAt = "2026-12-01T00:00:00.000Z",
            Mailbox = "default",
            Folder = "INBOX",
            Subject = "Overdue INVOICE",
            Sender = "billing@vendor.example",
            SenderName = "Accounts Team",
            Recipients = ["desk@example.com"],
            Attachments = [new AttachmentInfo { Filename = "invoice.pdf.exe", ContentType = "application/octet-stream", Size = 1, Sha256 = "00" }],
            TextContent = "Pay by Friday, or else.",
            HtmlContent = "<p>hidden-html-word</p>",
        };

        Assert.Equal(
            "overdue invoice billing vendor example accounts team desk example com invoice pdf exe pay by friday or else",
            SearchWords.Document(email));
    }

    [Theory]
    [InlineData("Привет, МИР", "привет мир")]
    [InlineData("ΣΊΣΥΦΟΣ", "σίσυφοσ")]
    [InlineData("हिन्दी भाषा", "हिन्दी भाषा")] // vowel signs are marks: they stay inside their word
    [InlineData("東京都に行く", "東 京 都 に 行 く")]
    [InlineData("mail東京mail", "mail 東 京 mail")]
    [InlineData("𠀋𠀋", "𠀋 𠀋")] // outside the basic plane, as pairs
    [InlineData("x1y2 2026-12-01", "x1y2 2026 12 01")]
    [InlineData("<script>\"'; DROP TABLE events;--", "script drop table events")]
    [InlineData("", "")]
    public void Text_is_cut_into_lower_case_words_of_any_script(string text, string words) =>
        Assert.Equal(words, SearchWords.Document(new EmailEvent { Id = "x", ReceivedAt = "t", Mailbox = "m", Folder = "f", TextContent = text }));

    [Fact]
    public void Each_part_of_a_query_between_spaces_is_a_word_or_a_phrase()
    {
        Assert.Equal(
            [["alice", "example", "com"], ["invoice"], ["東", "京"], ["e", "mail"]],
            SearchWords.Terms("alice@example.com  INVOICE\t東京 e-mail ?!"));
        Assert.Empty(SearchWords.Terms(" \"*()-:^ "));
    }

    [Fact]
    public void The_indexed_text_and_each_word_are_bounded()
    {
        var huge = string.Concat(Enumerable.Repeat("word ", 50_000));
        // A letter outside the basic plane (a surrogate pair) right where the word is cut.
        var longWord = new string('a', 99) + "\U0001D400" + "b";

        var document = SearchWords.Document(new EmailEvent { Id = "x", ReceivedAt = "t", Mailbox = "m", Folder = "f", Subject = longWord, TextContent = huge });

        Assert.InRange(document.Length, SearchWords.MaxIndexedChars - 200, SearchWords.MaxIndexedChars + 10);
        Assert.Equal(new string('a', 99), document.Split(' ')[0]);
    }
}
