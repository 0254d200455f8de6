namespace ChargeManager.Host;

/// <summary>Text from users (charger names, log messages) made safe for a terminal: a control character is shown as \uXXXX, so a name cannot break a report line or send an escape sequence.</summary>
public static class ConsoleText
{
    public static string Printable(string text)
    {
        if (text == null || !text.Any(IsControl))
            return text;
        var b = new System.Text.StringBuilder(text.Length + 16);
        foreach (char c in text)
            b.Append(IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return b.ToString();
    }

    static bool IsControl(char c) => c < 0x20 || (c >= 0x7F && c <= 0x9F);
}
