/// The simulator's published test keys (the same as `samples/keys/`). Never use them with a real provider.
///
/// The simulator holds the provider's side of each pair; the processor-side halves are here too so that the
/// demo can write a working configuration without anything outside the repository.
public enum SimulatorKeys {
    /// HyperCard: the merchant's public key, which verifies request signatures (1024-bit, as HyperCard uses).
    public static let hyperCardMerchantPublic = """
        -----BEGIN PUBLIC KEY-----
        MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDAKw4rVo8I6FZ3JueGyusv9Cg1
        1lzhqFJqXrCzObVhdpoG+Z7TjqfM4mmVE09ILERCRGFCBjfd0RbSlu+QZ/Mbuj1u
        AvxszPXpxvaQgBKaD0P8wDUkurR8JNKAD3EMj00tQlqmNJpzSvvrZ120JbaJ4+4q
        d7U0kApTrZ12ulqtLwIDAQAB
        -----END PUBLIC KEY-----
        """

    /// HyperCard: the merchant's private key, which the processor signs with.
    public static let hyperCardMerchantPrivate = """
        -----BEGIN RSA PRIVATE KEY-----
        MIICXAIBAAKBgQDAKw4rVo8I6FZ3JueGyusv9Cg11lzhqFJqXrCzObVhdpoG+Z7T
        jqfM4mmVE09ILERCRGFCBjfd0RbSlu+QZ/Mbuj1uAvxszPXpxvaQgBKaD0P8wDUk
        urR8JNKAD3EMj00tQlqmNJpzSvvrZ120JbaJ4+4qd7U0kApTrZ12ulqtLwIDAQAB
        AoGAaVhxCRMHkHOFywX50Gv3KC+px3G/MzmKDKPiLC5Ln6Vb5Mz8468FkAziooWW
        ZdNWjBleU8qC38fawhFaPQivPSU/0y2t5L69XVyXN3l8tmxrDSRKddK+shSwXgVw
        xc/wAb46a7I8eZNEZAOb+lz3Kpi8hMJGUSmhQ7llozTc4EkCQQDt+VQ9wb/T67Cy
        BNb1pG8JoucO48wT8EepxUcs6qD5uMcD1bIfpthbk/S656bojoB/0J6TrV0syUCa
        Y/IA+JmrAkEAzrl77bWAyF8fkMSiPgWJdpZdKNoT7lptY8iTnbGSIrlcqJ4mZAei
        8ja8+l9AB8DwqLDkctyoR/BaiFogukQejQJAKonuMBfpNXWlIT1SO5jILH3NNdEs
        ksfZ15QnM/VBD0KjeKEDdTr64+vfzGVKZbnLaI2fOyC7Th0viimhgeDufwJAL+rQ
        rhXvRwK9l1ns3YF9Do7mAy0hh5NQXdvFU70wSXo73x3hejhG7ewAO+zOM73mSsPO
        AE3jd+FfqtFxWpullQJBAOy2vD2AtILA4zkzCzkHNkS+dwZiYe1z8o4XLooPxW3L
        TgYA3rr8Gz8Cn+IGW7vmh6D/bhHGGB+9gcPgW5yP424=
        -----END RSA PRIVATE KEY-----
        """

    /// Pagsmile: the platform's private key, which unwraps a request's AES key.
    public static let pagsmilePlatformPrivate = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEowIBAAKCAQEAvL1flZ2WmzEXtW+Qv0MdN618kPsq3Kg1lJaIVd/qzy6A7E+N
        qCVqvL5plJ/12tdfb/bGRACWX4jz9dh8sn98H9ID3qgKX3uTx7ih+9jFrMVfBDhp
        4NnMSBGB6EjB0YQMd2+gol/Y3XSW6oj0ifN0ZzYbweW5Jkxd3bF/sYsJ7S8ZXEPs
        S7VBRIC3EwONGxTet3AUByPBc2LyoceDtLFY58j8KfShOuza5LINGEtXrh11Qv8g
        +7Sj4kz7oOALcAaiWKXIE+fGJDkp93dp2JXVl6GfM5wWfnHUB991cyUbC3QR9+PE
        qENjD6P5YV/IeM15k5gdRrSxuAJfBkmjnRmpuQIDAQABAoIBACCBApGbKqE+cqVR
        +d0ee00n6QB06PxIUbXtuLwFTIRyr0xDJRO0oe2wYzFv3ODb33lCSAHVEhCQ3ubT
        aiI5d1BplDYHvYWVHC20m9zqB50J/qOU7ZMGHzq4HSW6RfrFoXn+NO1R0WDOH+Fz
        RZ3uWfkeZeheHiU82JuB4opadhKtEggu6JsJwkqUnlsQgjLbtyx8wRkU7GuZXkUi
        odgi00D4s7qxa5sKCV2mHUUt/Uk+Z5o+Ha5Qeb0WN1pRUhQAfCOTzGLaWAwbANQG
        +0cr2Tsnpp2VB3n87eZwhpMcx6RKzMRULVwfqa68G379M5MiJX5a0NWd7dsDov3I
        W461aqkCgYEA+LrpBdxfp1Y/NiwyfuhxAPoZykKoQ+x5ipoHJDneZXBrtqwLz33K
        FYo8UWlPXTLFwhvR5M88nNoy5vmKkyg1bu6ObO02lFrMgH+avANTYUgI6TmOHmgM
        CAtGx6Pnot8IbZcQfpKhHVauwFinSuFCbZR6zZLGP2YjGZwdhQlE+OUCgYEAwkGX
        2fMeoqq47O6CRmggSZCnvLZLWQrkPOOcJnw5+Zs5vFBN0LgTE7/WXxm1WPsd+kqr
        ROWBOUsgy8DHcvc0PQqfz8RcUiHn2Wfl8vPvH33b7DclKPpjNq+GVxrGPGTAoU1J
        Oh/RS+TxaDAL9XJ8tX+z8B9hmoCQKuyNPGQzBEUCgYEA14lomlqQTTqwxingjBay
        rg0MQjgnBc0quY+l9p9q9+5GeOJ3zZMMhkPm5wlh67ouonlnFmb6+FUg3QSLL+Ad
        BYcVxpB8xmw0YHmzRY+ANoGsryXf4Lt7CZF0AVYoSPwKmqTYd0Zq9TiDcEyik4HG
        BZ0wGWpB/vhsHCorbnhM230CgYAB0GL+ogqTMkzvyXpl9er3ROaMGJeziSqAdw+q
        PFa+QfjUDVvsqwtij9QMp0zOO+oXwELBLfN6+Xyg6nfyVuSh/UtowUira62ilhnL
        nwOIo8A+AHXUYCI1DIaQoatgPQCfgP1CEbH+p3CprGkwLZWEjGC9yU08CB9Qh0z6
        V2UykQKBgFoQY5Fm5Nfk8lTWV9+MzaaUUT7AcsevvfFO9R0o2smUeWjM7tJVLJYv
        JcKaA6ihYOuOhQe70XR58g/9ZnySJYPAaqst4Pl/qCBZy9SAP4bt8CH5z3KuTz2D
        r4PsfKPsQYfyjq6z0YzSewAeeMaigMPib2oL2rVmg/BNoeWRztkQ
        -----END RSA PRIVATE KEY-----
        """

    /// Pagsmile: the platform's public key, which the processor wraps a request's AES key with.
    public static let pagsmilePlatformPublic = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvL1flZ2WmzEXtW+Qv0Md
        N618kPsq3Kg1lJaIVd/qzy6A7E+NqCVqvL5plJ/12tdfb/bGRACWX4jz9dh8sn98
        H9ID3qgKX3uTx7ih+9jFrMVfBDhp4NnMSBGB6EjB0YQMd2+gol/Y3XSW6oj0ifN0
        ZzYbweW5Jkxd3bF/sYsJ7S8ZXEPsS7VBRIC3EwONGxTet3AUByPBc2LyoceDtLFY
        58j8KfShOuza5LINGEtXrh11Qv8g+7Sj4kz7oOALcAaiWKXIE+fGJDkp93dp2JXV
        l6GfM5wWfnHUB991cyUbC3QR9+PEqENjD6P5YV/IeM15k5gdRrSxuAJfBkmjnRmp
        uQIDAQAB
        -----END PUBLIC KEY-----
        """

    /// Pagsmile: the merchant's public key, which wraps a response's AES key.
    public static let pagsmileMerchantPublic = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuFri3oX18+eC5uGrQhxF
        51L41oQxeMCHuMYlyKYhPSzVOwVVTb6g6/W5JWAsqJKWofWHKMrgD+AzyktIMyBw
        85zkwbCS/722QkrsArU1IiOnATyP8uvV8kbUSiGBYUVUNoKBOi1RTNm7sH1ron1e
        2Ahjcq9i1q473YovfgrJCynHmC4avieP2CZfeKL+EWHZ8Ln5VPDeptBmqtTvz0KX
        +1Mqy/MGMn5O5pMfl8XCr2E9yXkottCgva3/Krj+g2cFf2aTbNNI9k9BJF4l7ZXu
        u/PMh3rGLlUSq1B9MSEDv/z49bp07VwL93vncYZtTNT6NBN9Gn79KgACCpYNtrXZ
        SQIDAQAB
        -----END PUBLIC KEY-----
        """

    /// Pagsmile: the merchant's private key, which the processor unwraps a response's AES key with.
    public static let pagsmileMerchantPrivate = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEpQIBAAKCAQEAuFri3oX18+eC5uGrQhxF51L41oQxeMCHuMYlyKYhPSzVOwVV
        Tb6g6/W5JWAsqJKWofWHKMrgD+AzyktIMyBw85zkwbCS/722QkrsArU1IiOnATyP
        8uvV8kbUSiGBYUVUNoKBOi1RTNm7sH1ron1e2Ahjcq9i1q473YovfgrJCynHmC4a
        vieP2CZfeKL+EWHZ8Ln5VPDeptBmqtTvz0KX+1Mqy/MGMn5O5pMfl8XCr2E9yXko
        ttCgva3/Krj+g2cFf2aTbNNI9k9BJF4l7ZXuu/PMh3rGLlUSq1B9MSEDv/z49bp0
        7VwL93vncYZtTNT6NBN9Gn79KgACCpYNtrXZSQIDAQABAoIBAA6zf2Gjs3bamzeN
        Kb/btalaQP9eSvxS93UWfAncUaHpaCxM4xNljxCcp5c27FNvCSBrjiEvIx9bpNWj
        cOOpg8hcK75/CwyQ1Nlu1Gjs3rVVEYAe6RMZQmuPwWW99pgf/rSwGIe1TcU/8bXZ
        HT23xgSaj/pOc9Ekfh/5torUZ67XkuIfcj0LEqvzreGN6HA/k1/sIv/ebQko/gkv
        FJP6Yg2rMFUM27rs+TwsBCDCiEXALhCG1Dod60JnGvbcZVzr1/GsKfmL/NlH6/YQ
        VrjoMf5LgPToedf1EWbqDs3YqXFmrxq++Ds5g2/f9BgoXy3z/0KsAMUZCC/LlAe0
        xIbEFnkCgYEA+99UJUVMwE8aMhJkdZlglL2ohGLEja3nK5dNg5Yzyo5kO2/MsIFY
        RFQCIFh7RuQ6fDR8iECVl2nQwqdORx6I3ljNjGhmLFODUSJeFpzO0LQ7KLqCt25r
        8gU+jVJ75BZP0iSFQ9f37Tz8BrrEJI9e74JAvT9SiaQFVh8Id2GSTx0CgYEAu2BN
        6VUpn7/9oQgbWK1MlfVUw9npyLO2EstelN5qERhCpBNj/gEfLPXk6rvZoWAIhHbG
        4wSOMXyzAIq7A+AmrkXq/Lp6Zl5cSl5BboEjMkDDej/+2qZk6NcUr4zE+2Dx4FUP
        yQHG+HYAGHw3WSReUJQolLZfJOuTcAXeFvSZ/x0CgYEA35MoIEVZkcMln5jP78uL
        /bw0n/8ENjdN4lXWCp4DryOiOVhOO8c00MI5ePjRxOXGPIZinJensdXN51uXkm26
        VJRDMQVi3KntANIe7reWpY+2i7qzWZv82cJp+gxjyN09UW31lXlZrA7cMCUNAt75
        CGV4jgRtgZxE2GOHomDL/MkCgYEAuJvMhzxBs0PcJiCvmLG9R+2bIw76l6P/mgrG
        V9O+GrOVTMRR+vqt9YUake6cH7NXEPNZRmfBlJ4wWjNUyB+63G7Ec1VirKMBOMAe
        pToULDnEnhiZBmF0ADeQCNmfZbAA/q2vzLG0kCzqMTWI7om3ZppiVQpNOTnkXDVb
        t7AsXT0CgYEAhpmmHnG7yxUbkHEvvRVjnNuWMEU3echNf1icIuH7k0PpaBm0OYj3
        dT/npIg8sbCymEMu59LYovDj24TjWgHqsIVE/KkM1lq9h81+rv0kv3u3i1mLZEtI
        pOl/3mT5F1rVCyI0ka/508LUY/864Wz51cZhqrSUhoLbJ0STiL0WaCs=
        -----END RSA PRIVATE KEY-----
        """
}
