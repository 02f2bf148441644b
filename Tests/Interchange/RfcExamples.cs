namespace AddressBook.Tests.Interchange;

/// <summary>Examples written out from the RFCs, for the readers' unit tests and the imports' integration tests alike.</summary>
public static class RfcExamples
{
    /// <summary>RFC 6350 §8's example card, folds included, with CRLF line ends as the RFC requires.</summary>
    public static readonly string Rfc6350Card = """
        BEGIN:VCARD
        VERSION:4.0
        FN:Simon Perreault
        N:Perreault;Simon;;;ing. jr,M.Sc.
        BDAY:--0203
        ANNIVERSARY:20090808T1430-0500
        GENDER:M
        LANG;PREF=1:fr
        LANG;PREF=2:en
        ORG;TYPE=work:Viagenie
        ADR;TYPE=work:;Suite D2-630;2875 Laurier;
         Quebec;QC;G1V 2M2;Canada
        TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-418-656-9254;ext=102
        TEL;VALUE=uri;TYPE="work,cell,voice,video,text":tel:+1-418-262-6501
        EMAIL;TYPE=work:simon.perreault@viagenie.ca
        GEO;TYPE=work:geo:46.772673,-71.282945
        KEY;TYPE=work;VALUE=uri:
         http://www.viagenie.ca/simon.perreault/simon.asc
        TZ:-0500
        URL;TYPE=home:http://nomis80.org
        END:VCARD

        """.ReplaceLineEndings("\r\n");
}
