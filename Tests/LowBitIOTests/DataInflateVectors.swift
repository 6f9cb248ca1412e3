// Generated once with Python 3.11's zlib (zlib.compressobj with the level, strategy, window and flushes named
// in each vector) from the generators in DataTestSupport.swift (replicated in Python). Kept small on purpose.
// The generating script is at the end of this file (it also printed the SHA-256 vectors of DataSHA256Tests).

struct ZlibVector: Sendable {
    enum Kind: Sendable { case random, text, far, zeros }
    let name: String
    let kind: Kind
    let seed: UInt64
    let count: Int
    let zlibBase64: String

    /// The uncompressed bytes, regenerated.
    var original: [UInt8] {
        switch kind {
        case .random: DataTestData.randomBytes(seed: seed, count: count)
        case .text: DataTestData.text(seed: seed, count: count)
        case .far: DataTestData.farRepeats(seed: seed, count: count)
        case .zeros: [UInt8](repeating: 0, count: count)
        }
    }
}

let zlibVectors: [ZlibVector] = [
        ZlibVector(name: "empty level 6", kind: .random, seed: 1, count: 0, zlibBase64: """
            eJwDAAAAAAE=
            """),
        ZlibVector(name: "random 1500 level 0 (stored)", kind: .random, seed: 7, count: 1500, zlibBase64: """
            eAEB3AUj+tcNMlnk4ctjHGY89Nc8TAQCKrG6gECY5sspPmdw6zqV2iEeamY703MRqr7Lhr7aP/bQwjOhxMt3/r4CPVHW/FNhZ1CZ
            esBeImlTeYh2osNp6/q1BZvnghosY90ot0669U6zRUrfVAPrMGQBoySZD9/mFV8LLZsv3fiF6xprkFyMr9bTbABdLuHHJnPaDGqM
            UzWenEwOsH6e+DayXnra38EvvEsAmGewrM0yAy3GUVAbnScdqRdnLVj/kLhgHFt8bDDOSV3f1gzn6bkfOjMf2PW6mg0xAWKhE19U
            +/KxCTRoR0uD3/9S3+YdJNT8uX8/aniKRIzKWpz4rPiJa6uw4g3Ilfrv2k8YYtLU3nAuxVdIAY5Sv7J7to4r9Ov1vlRVm3DFt65c
            8mMTdaJhSkJBaO8HWFj0O4DhNVuehdE/cg0t4Q3SiUjw1KTJX1XNqgd660CcSwnUQsxh7Ep/3adK9w6C0+e5hvJFCvZAIjYYM85R
            D6apXe1DDoh+wK6GyYPx01abcoY42mjY6PI6KCUS0qSKJ8mekbiqqyJtk38blpBcUqElwEd6mBDm9GE1hW2nQCvBDrsPUdKSE81l
            KCOh3TgOSPTE4KSlf6fGF3LtU/BVqh78KQLiEZJC9Zqyv0PEneb9AMGRiu5a2jYnUTPP3l6KTlBR7xDN37hlmz6BJc1mmcBlUsTe
            o3ZrR6Tlwru4WxHsqhDC9PPLQw8/jG3RIse/I9zH6fkm/LaPUgf29T70zpZovwavOV3lYwnzhZlpBmxYeZ/19O2GZT1/3D4UJ3pE
            sEsP8SzJp3GrCES5sbTwQsKNOA31hDiIS8bxVNaWW1RKxJv72UeHa3SVfUubWLUTeb16Lw8sn8bLZsEiAn9QL2hXsKf55sTWuHIZ
            in+GUzYYNWH2YbADLyVwu1j83Cj2cGt1uJHGo+3uYbVe7j5LxpnxEYMUEdUNgirPbHLpQGgd9pf9JWD0id16LexQIhFJIkk4wo0J
            cZKwma7Qow/1wxQ5fvx5E7LWq34QJCkYkqyOVcndF18YKpUd7pCh2+Mwyh526/rc/3kyXA7FGPjySwKrT1UKbMvfVvXbnQNJDnTv
            /84mOtshlTT9uH2/9FTSAeuc2uzn9uizhdkaRrG1uB9RHNZYC6Vl/RQ6jT7404JQ7BQXszm/oFv1V6CDrvpm/X0KzAdhqWLHo+bE
            Tqg1CKISdrfuHYOJpNzWK2uwpPW2vrjkKxLv5yVWnLoMXPTHK/gfX0R7ZUiJJfC2C0/7f/YuXIp4gV3DARnZsEEGV5yVQ04+HPaL
            Y2Fc/lSfH53y3Ia7DNFYNSXUZMktIJWhnKg045CGDJ4TQMh+xO2cKx6VJEkvbyzpDv2wT51VVKLCRxZL7T5ulafKVdV2bRxkZzCJ
            Fadjm/wBwn+T15O01hgTZk3a6C1EkDQvO/S+SrIWdZxSEwIyu/ot7v+gQP8g096mu7C21kpStgc658cWjZS+3XK+I+l1g9vpPxte
            NTzq8zk1qsS15f/iv71sGaoX20KjoHLNrESQC1keh2yxnnu6NHzVB5CjtwQ7ZLTgRxOXh0LEaB+BUtiQqmQp2nmaVkq+M552x/8A
            txbSepgv29suSy7S2ZMVspzyGFxNYJKscl6J6G8f1uf/PfGKxTOB+sK/ge5R6q7pZjxPiALG1xgPz5qRFgs/JrBgd6H4ujOpETq1
            1BRCQqC9gYmOxjXG/SYike56KRO7rYX9uQaaTVJct6A2QF5FiDgB7E1J1DGOtyg6b3OJSwt1VGq+1Hvz1I6DQ3Y5Gslv3ZJ0Cs+v
            ep9X/7Y+1JtgqTGV77IGaUBvfaQBW+K/+7NcSBKSFx5WxBOdNtq4DwK/jvi7A1C4gH1bfmYfAUcQh1N995K6DVpV41znZS/ovnZM
            Q2iWQZBKOyco6y3n82dS6gh8+QhWPBgkybaincqRfsMJWDI5eugYUQbFiVV4zQPhlmPn7I9XXHx9e7toY4w8qaIy6C5D9LA29BPo
            1fSgXDgymptl9M0=
            """),
        ZlibVector(name: "random 1500 level 9", kind: .random, seed: 7, count: 1500, zlibBase64: """
            eNoB3AUj+tcNMlnk4ctjHGY89Nc8TAQCKrG6gECY5sspPmdw6zqV2iEeamY703MRqr7Lhr7aP/bQwjOhxMt3/r4CPVHW/FNhZ1CZ
            esBeImlTeYh2osNp6/q1BZvnghosY90ot0669U6zRUrfVAPrMGQBoySZD9/mFV8LLZsv3fiF6xprkFyMr9bTbABdLuHHJnPaDGqM
            UzWenEwOsH6e+DayXnra38EvvEsAmGewrM0yAy3GUVAbnScdqRdnLVj/kLhgHFt8bDDOSV3f1gzn6bkfOjMf2PW6mg0xAWKhE19U
            +/KxCTRoR0uD3/9S3+YdJNT8uX8/aniKRIzKWpz4rPiJa6uw4g3Ilfrv2k8YYtLU3nAuxVdIAY5Sv7J7to4r9Ov1vlRVm3DFt65c
            8mMTdaJhSkJBaO8HWFj0O4DhNVuehdE/cg0t4Q3SiUjw1KTJX1XNqgd660CcSwnUQsxh7Ep/3adK9w6C0+e5hvJFCvZAIjYYM85R
            D6apXe1DDoh+wK6GyYPx01abcoY42mjY6PI6KCUS0qSKJ8mekbiqqyJtk38blpBcUqElwEd6mBDm9GE1hW2nQCvBDrsPUdKSE81l
            KCOh3TgOSPTE4KSlf6fGF3LtU/BVqh78KQLiEZJC9Zqyv0PEneb9AMGRiu5a2jYnUTPP3l6KTlBR7xDN37hlmz6BJc1mmcBlUsTe
            o3ZrR6Tlwru4WxHsqhDC9PPLQw8/jG3RIse/I9zH6fkm/LaPUgf29T70zpZovwavOV3lYwnzhZlpBmxYeZ/19O2GZT1/3D4UJ3pE
            sEsP8SzJp3GrCES5sbTwQsKNOA31hDiIS8bxVNaWW1RKxJv72UeHa3SVfUubWLUTeb16Lw8sn8bLZsEiAn9QL2hXsKf55sTWuHIZ
            in+GUzYYNWH2YbADLyVwu1j83Cj2cGt1uJHGo+3uYbVe7j5LxpnxEYMUEdUNgirPbHLpQGgd9pf9JWD0id16LexQIhFJIkk4wo0J
            cZKwma7Qow/1wxQ5fvx5E7LWq34QJCkYkqyOVcndF18YKpUd7pCh2+Mwyh526/rc/3kyXA7FGPjySwKrT1UKbMvfVvXbnQNJDnTv
            /84mOtshlTT9uH2/9FTSAeuc2uzn9uizhdkaRrG1uB9RHNZYC6Vl/RQ6jT7404JQ7BQXszm/oFv1V6CDrvpm/X0KzAdhqWLHo+bE
            Tqg1CKISdrfuHYOJpNzWK2uwpPW2vrjkKxLv5yVWnLoMXPTHK/gfX0R7ZUiJJfC2C0/7f/YuXIp4gV3DARnZsEEGV5yVQ04+HPaL
            Y2Fc/lSfH53y3Ia7DNFYNSXUZMktIJWhnKg045CGDJ4TQMh+xO2cKx6VJEkvbyzpDv2wT51VVKLCRxZL7T5ulafKVdV2bRxkZzCJ
            Fadjm/wBwn+T15O01hgTZk3a6C1EkDQvO/S+SrIWdZxSEwIyu/ot7v+gQP8g096mu7C21kpStgc658cWjZS+3XK+I+l1g9vpPxte
            NTzq8zk1qsS15f/iv71sGaoX20KjoHLNrESQC1keh2yxnnu6NHzVB5CjtwQ7ZLTgRxOXh0LEaB+BUtiQqmQp2nmaVkq+M552x/8A
            txbSepgv29suSy7S2ZMVspzyGFxNYJKscl6J6G8f1uf/PfGKxTOB+sK/ge5R6q7pZjxPiALG1xgPz5qRFgs/JrBgd6H4ujOpETq1
            1BRCQqC9gYmOxjXG/SYike56KRO7rYX9uQaaTVJct6A2QF5FiDgB7E1J1DGOtyg6b3OJSwt1VGq+1Hvz1I6DQ3Y5Gslv3ZJ0Cs+v
            ep9X/7Y+1JtgqTGV77IGaUBvfaQBW+K/+7NcSBKSFx5WxBOdNtq4DwK/jvi7A1C4gH1bfmYfAUcQh1N995K6DVpV41znZS/ovnZM
            Q2iWQZBKOyco6y3n82dS6gh8+QhWPBgkybaincqRfsMJWDI5eugYUQbFiVV4zQPhlmPn7I9XXHx9e7toY4w8qaIy6C5D9LA29BPo
            1fSgXDgymptl9M0=
            """),
        ZlibVector(name: "text 8000 level 1", kind: .text, seed: 11, count: 8000, zlibBase64: """
            eAFlme2O4kgWRP/7KfwAiHdydVED2gK0QE+r5un3nIi0jWalmW6w0/cjIm5kmr4+nvOv++/vz+N8/ZnOl+t8/f3rPJ+Xv0+H+c/y
            nD6Xx6+fw/zx+zW/zstrXp7z/Wv+uj/m82l+8v/tPl/vj1NWLN/f+/Pzcrud5p/77yx7LpfP+Xp5Po/zx+ly+2u+PuY/JjbA5XWc
            k2i+3Oas7BpTWE4SkP42/7m8zjNlvM6X23/I9aSi+eOHYh69dpxP1+vSP94ipcfWthwb1FCHkfZ2P9rebcRd0uDfp8ePV1+W2AC3
            ++swny9Pejjd+geZQYpY0+n78s/ycaLAy41VAOhKelhG2OuP2HlxuX32aYA8zPuDokW+9LvM91sWXx+AJphHgAqYaXFABGWylT/S
            xHgcOkmWSCSUsHw2e3ChpyJ6vkg4+Ml+aUIUdDqz9L+/L69wTGVIRKJRgDz71+Bh+mOMY56JfFKfIHxEFxN/oSW/lbeCaaM/YEVz
            xDsvn2Uxdb3moJ/OrN1UQ2gpQllMiIWQNnRPiDLo86cKgL8/EO+S4IQIL6yPMu+pTykqbpBVTY5Bb6endmw7YE+edTZCDZCVA+6k
            qDbHN0olXiOogy7rbYFNW9TzRSE/b/R3xZ8TKLtsgXfGhPKOyojAkf8mF3C1/LQdQVZvDNbgVJ0lBE1lVgg1ZfkYcDMlZh6/f3Hz
            NDhfnsg6caIJ+J+y0hkO2mMEInAnPd/HnKkTzYHJ7Prb5z5qnXtYZzjoKSDEbEJTfaDWEA18nCbBUAVb5zYmNFu1dYJMG0IiWj0t
            w8kia+H6sc1W9zpJPoW79JZ8st3RNUmk/LrLIRO/GcGZYSxbjuzlNV0fgw2WZAZoPUSC6DFiniSBHrQnYQ6sKMUpZeBMlvyOhfgN
            Q3yGk4S0iwofCamHQ9HtkA7TY4qndH9QpAQznpwlqFNWbMmHQdRYKsgd3cGiT6XtlHrB+lKTg8443KhcXY6Wlkg+ji4kdi3BWhNN
            RqmAyHCN/MHBlYHRJvXMMVLAOcTuB40JpZjXuZjyaGgWtHYf/gQoSkjDqibBW8npYYBJXetdWE5hcQ9J9KFUpGxCnKV7jwWMsB80
            lRCxs/TWGBjU802dml3L2jGF/fKB5uriXEmIzSpi9OZuM5hNSu2UOyoO4R4xD/emVRwiCCAKWwlhZEc8K6OcON+wHYWYZaZkaWDN
            2PPMnmeCPhtyVhwDRCdk/hEvOY69MaHNPdFn4lZGJj+uLMVQmn+0BeVB5K0b/LoGCAeNir/n6OHcVF1sZ5qxFxSmFs7HzLOSHUUi
            iIyPOkkCP6heG1JamTisZRrpmXEvuWcg6JuwDENK5aYLorpRGJ4igNTEaLERWU0AakkPFcsEcOzRxhn20NMaC0TEZ2EBjxSTk13v
            rWHTI6VQMYWpcYXEfKSkjJBz0V78mpIMxtFCknfJpCbq3K9oCJZLQg0RxFMUYxKgSeqkFJMaXuoXiHzYIk30fr9N4avUMuz9AFjD
            LT38jc0jhmfXQJKHwgB4QwvWhbXwoSeLQYETYPcjKA/9rGD2QJlBLabEscR0NzZ0ge2jZTRaCT4MYpoPoFiaRHpc9eYbETIALG9P
            A3r8Mc7+VCxCj7r2fZNbWcJS49Z79RHVF+FvCAbwZUwTO0UTRaHUTiGMZf+UHWmhoDYAUka3ZZW5tl3TZ4BJ57SU1H20Z9vjYgcQ
            F0g0j0xWF1sYp0UPS2EpcfJHWyncbZiZgU8YbrkBAeGKLeZ082i1W4JFcpWx9vAQyarOpR/DB5URLLc2u8YHrDjfPRcH3IubpC8E
            HgRp2l7J10rWujeb173S6PPOPtOxAUmBqz7oAg6zlbnzRyjUnt1ybKbZGkgrTmEorkB6c3t6uDqk0YXH1FYXWwgC3aGBgN2Rh9rE
            y/kp6Xxo22KzC8T5D+/Mf45cK6BZXBL+panyU9izD08pnRaTAT/Ji1mOUnm0BdhAyk1f6oqHRaidJOr/uYv3IecYIXdhzVoyGHPj
            92arYiZ28keJvoQ5uBACeoE2+HGZ7wp7g4P3uPsYkhat+oQnQHiaGIMoOkyAx5khE3smQxHrTk0sGctGGtbhciUXITVDpz0bD05P
            pZbp183rKixSb2X24JXsa2M+EXSHLjg+UHaIIZWnIN68Qafg34Mnxaj2OJ2d6IRm1yR17lWvTceYRFyJkFT3r0MI3KCXjckoqtQD
            ZxgYE9VocFZw+lAvGs1V4xadJxNzZ+EMNCTlRVTZQxsL3AJTxA4KcmrzLSCfq40gFV00qx81vGiBitJSywopMCue/oYwZmNotrlT
            nMzaYgl/4oeec+ghdCn2aB/UqF8b6nynF4lQWVkRqFUhLbFTQAAVxRjqSdq8Pwh4J2cMqSJP+mEp91v6tk8beoclpVOtz3vi7VS4
            puqgNFVZ09bxBGSAMxUhDFfr6ik5guX+O4FhxTHlfc9eDZh643gGjHO3zi5GnX4Y2/ETU/SBUOoHuopFxIProxykoDgEVZ/w/L77
            hhaeCwGsbBGYjoAZk//ro8kyjJk0Nt2TPXQyJlKrozuzLbwydceUczfGePgrY0R1hNV3C0lY7cdghVobJTc6PuCDLGSsC5NPvXGp
            W+U2/qzLXbZCMCuENJNgsAjmN57wTFDjfd3HVqC5MT5hWSx8PLoePcGhzHiaj5bEjc3AU7FB990LFMJj8O5BmOnA3VStKRqwY6En
            Z99kdSxIY9xsXoGPybiBrtdF9JhPPQbiguuJyK5+BkJpY61jHNU9VrzLEPIzTbnWcyOXqhjz0tvKeoStAPXcOjF3wYO2lMk+P8Bk
            j5sg3TZAM0KQwGDnT04KX83qA5ogSgr/aavbVdnrsBPlUBse7qcPp3Iez9sJjEqQVtzCWnziFfLOcqAp6oglnXEICdWUEZfq3T6/
            omTxDUD07lKWHRqzHht8TANfVRK4OPKmgKTZUUqnEOcOpln7PT/+7kvEpjPu7gZYfgHdUfnwdqrzqAImh7QyRqulqxceak2rN+0Z
            gG2sEGK62m+NsVulmtefzXlte1+K9IsunpDdrKqj0uHZqdTfZ1LgFIDTyvoryToJDYMVCTUC9IXmLQ8/3FLmOpoGJ3UYeTtPB3T9
            OMB0xJ2rxl55hvfVXB0+1tdPKYv0KHvsa4mjs2k/+ly2MBUGcXtpCp7JY1lspuCnks1NuJ02A2xWiSLwTy3Eb2EIFfNf1nKXbTLv
            +LDvxex6k6SRaxW/P/SAGAdmVSc+qoVqO6dUWl/tWys6cQTH0dE848SbehEBDzr8bQJABHOg5y4fdpHqajrykGozy1iych92vyGk
            Krn4NorgSdw7PtD+DbMtf/sEbmoFU3dbyl41XGF9EyOvLfFmZ/sVX+c0q8WiQKTKsdj3nvUNox2MN06/UFjM34x4qtSEsfTQ8ZOK
            0CU6IJzqUFcTZ3UWCgTWNsoflDeaT3LP0dU5cp7Mj3qx1Jhoo20bMuS0EwVgrFqwte7QGZK7vtL4oXgEsg3q/NvCkSrUPmsMEH36
            Q4T/jGBp6aHOkf0UWdjKnihwR6pAby9A0vJG4O0c4V7ve4dUkMe/HKRsnhdsL2eBtaU05kDp9+Zgs0Ow+dkypyIi9MK6aC8JIla3
            tvyoUPW7VZg1Ml6352xEFq1MxtsrYxSpSrsmlDVBgrdigKJwTwZuXNnXHOB1jw6Y6Rngs0kr3MxSSBjVePQNdA6Zr5MeMs1lgdss
            BBsNx4C1JNDHDXzplCQs39dc2u0zjviY6cBfEocsHbQOXxdLZPY7x1s368ArGWXFbPpXhz5D5MlC8vjHi151/pFjGrH4rAoo3smc
            x3SUVt+kuBywdrZyj/tVuVFko4JV4X7jBT8FAnme5g+gyXnL2xFCT0PtzOypFMWhNbhRXDST2rxT7bQL+s11psVi3HKSwIur7Crm
            /oCTHzByHlNoKJrAja0/ZyY9jYqjRDHNKkVhtLqB6PavlHg7XZR+mLS81JOBq2xj5xXwKJYOG9OMEQU/iMNFuM4A9jwlp0QrayEj
            32K0/ibJP7FSZN/o1/OYc4xU6mza6bolEX9V/ZIjcs9q+0I1up40Ukl7ZSIjBslSROsriPwqb/dTLkZHUhAdWUX+z7zHWnSQ7++8
            LLmldkh94ON/uETajg==
            """),
        ZlibVector(name: "text 8000 level 6", kind: .text, seed: 11, count: 8000, zlibBase64: """
            eJxdWVtyo0gQ/O9TcACCO4GFV8QOEAtoHdrTb+WjmpY/xiNbTdc7K6tYj7P72l9/HkO3vstzWbv19fXsnuO/c9/9jGd5jMfXu++m
            19Vdz/HqxrPbv7vv/eiec3fGv23v1v2YeWL88+d+vhu3be7e+4vHznF5dOtynkM3zcv2V7ce3Q8E44LlGjoK6pZNJ3UGz+E6Cgjx
            W/ezXM9uhC7L9nfIOkNoN73j5KG/Dd28rqN+NDfRRuk2DroUV/UWu+2D7te9Iw38dz7eMjpU/LKuV989lzNunTf9CMk97yrzn+W/
            cZpDwWWLU7NOhg1jqvuG7/DHcXvo6ZDTd/eD8FbIo71jt288vB7hNDhzCEfRmbTOLoqQ0dv4MUhdPh7hDGH8GHfAHn7GhfRL2CSP
            PhcELPyHqxSmSIqwFM/981ouxjg0G6zXyTjjP8eh8I6Bz9DF1A9OmJgXJf6LXMJvcoScCU0R8YH3PceHorjLCHqflkF3iHKi8Qci
            WBaEAFqeO69QBPG8XRT/T5G8Iy+PKxgXuj8yc6d+8CFSd7mYTSgDfS2/UBjuGiin5vbOwPt5xEgZCuPitwspXT2bYvQ1nKTyuLrv
            kPRuwq8TP/Mx89gYcY8yCfUGmBIXM/3r+ZL3jpmLzLejSkae8YowirWCYPC4CxySeCcf378LXKeYj2fve5gTEf/Ck6hhetslIDHh
            MP7uOmOI6H2f3x53qanuB2QQFKYTCDYMk04JGpgD01zgDGTB7SkU0EoMkrZCAlZbXNKnCBangSr+PsjYG0n4idryV8pDtPtapcyj
            a+9lXgWCJ2sN0ULJLldZD0cDeIg0CdPp3gtHcXFBEA5fmIgYmYIqPSSM8rOADYgnY8Irz2cm/qV86OVdB8w5v6yF1vdIUiD2pVMq
            //CwfBvyAiAELErI27uOIp6i2VR1uRzCgXC5IF/oYckdmfJ8EC6B1YxoXBxG0jc9nDL6EB/CSUHIRbzMkirwiNLtOIVxywm5qIsi
            OxFmOE3W8/D5dCZQdWSNewIz48AFBXltCJNbcJ63O1PhjhA4Ze85mFUqn9lXOFvDNt1x4Mrbf/hWat1/A/hvgsxRKL4a3ypUEOgh
            W8aEdKqaQH+yCO8b+bCbaWjRMyHCRYwWr8DN8+HwMnNonmEHXuQxiIyjCuMpWLjllAgfDEKtoAx6uzh+EEuGhHNcDdlld3W5VNiY
            HCXaKfnZ4g95pLGGwI3oTYYW4DvLG6Wg7DpUEvgDEhMQ/pxvKLSS4WaWD/LEnOTB7IVBiCwrLqClWHwkO/6EnoEOBrcYkKg57qJH
            gUY0qTABqFOU1rlTm8Ra6sk0DJGE8Sh2sxLoKEcw+aAYnRciylKxV4A9U5XQOBRD5iCRTp9gCaEuZAt+pUq4rDcZqilDnULPNoke
            VLfPPiClkONENlWKfCLAE24lgN1pErbvW3ErYFvNGIezhqxEhJTNgxbjX7jkxiC04SOsB7TEBzELh4DU5Zm3y3cNxXOh6u/LRRVp
            nRs6HKuTuo65Qv/ECRpvGsNA0jZ2ghoIOuNsn952pQyR/aTyZLhN31zftXPc2AscwQNM/F/sL8H3sCCzUHdrF6cBLBSSAeEp3A6T
            Sc1ttkC/IPtEfX9DyNhnaV9EARHLCHXCbrJFkCV6kffwh0yRu2XwaF5rdfm3ZTPRXuimGxIE4OEyXctegxFCH8XzSRkr4dCHixrz
            94PDxLypSTI3dxr9kmBpknpXmMcnzQd79Bk52BTZ+APWJPPQ+UUS3szJbKZsDSG2YghR4VTv7+m63XkBmtqMK/SAOrRx2UkUroj6
            UdDjw92N2h7SK+6bKde7bdUJUR85pfh82RiQKaqO7q+mYcZv9Lxqra1SNzkMHoaHZIk52y90wfc/IK21rRusRRZ4v76UVlETd/Ct
            IsmpxpTVyU//KQQf2DXAdVJXP4ko4R46grzPfZVFSSkNhC3pMbUmwpcbKaO+3w1iSjamamfj2aEX1TTbU+4osZ4fUePUAulpmGro
            rGPsQbUZGBJq0IkCokzn7wL14x6dmYGaCAiSBK8MsYY0N1TeQFH7d88AVdcjGsU8hM94D0AbdVvETM5xlXuIxpg0JfOezGJEsZDF
            JNqeptGO3x4MzzYvOabBeCng7lC7V8NT8BGAx0iERjRJsk1HVe/XkLXhnJXsHNfE8gXM+0CeM82VMnu5wTkQMKT6pi2FafrQCfGl
            kZuAgcEMjQgMwiTAPGeORRzRHNoT5ze+l+qNpW07puqe+wFWSa0ezo4X+6NBG+6DQ+ycIg85eMVLgplcoQ0gPYMyjXkvL6S+GfO2
            LHTYw3VJ//XOY2GqsinnX+HozEmcAVJ+1sZtgEFY4jnPV7XhqE4W/utvGEpieM/QpGJRJggtS2nPlmNsBVFF92OfYfCIPFi4aK1A
            l/CLJKQzM6bBUZWPWvuNW5S3CMrUKmv5e42AVhg+kwsXN1i2FTRScoKc/9wKVu2w6shRV2m2SXs36qOmQG4yakmwb3f36qv9lQgz
            ZHXB4uUAy+I7AfEpWkadKswPd2Vse193SAM/5fi6JCOCVe+kZa8mDkdCZP+RhsC3JTuUeOOWGQO54x313MRtqG5j/UUuvXPoaQjN
            ac7thETbOEyDSK8gBisnLTS15qD1Z2lG3e2GPhV73NKrZo1+lYL2nk4mupMWSTGd0TBGl6uWT40t3BR5y7XaQ8+53SPVdQLvhOyv
            LFB37qdJs4MVVMP+rfgXlJcKaLFxjwEiTexgoyGfPm9XUU2v4tgg9mvNt0qAQVU4P2hGaMY4ZEnud7rEplvCuecJuDis+oWCa7PH
            MosUNf9orntuMLEYwFfebpyJ2ZsanYleyYVoxNtbkqwEl726LbYooWAj51us2qXJwcXrrtJ6DZul8ZRjFPzKSGqcI+4Jrtz3jWdv
            wIf45GDsKRoexQ2bRdXSOpJbk3ddnDZLwYom2QczM7SAwNxr8hO/JdOZ5rp2Bd8tGg6yEK5CeNhr8mPRw+VwxUpky77dC/1cFHL9
            oTHC1BFySjNPoZdu3r54sfpTB9176CjPCjp1sGctR2Vq7P0kwb1mjaYUF73I2HIv8dmEm0LhZJCknzobFXIS46iDx7VLZfJ93Qsu
            +KJpeD7cs3vUPdw9cZLBtsupN0PjBckjR3Cc19QxsohzCVU5tJllb7fcjFHY7iHKay3NogwkXr8Q0pFTzWhhoiNLiP66F7N76Nrm
            IvQg+t1veOiy6upT3OmD+k5vLyIwf9eJtOm2+6at/idETF5ofqyOfXHlEdq1C/HRp1/ar/Z6IVDqKwaaJFBFyzoU4CFZaO4BssXl
            ofatT0VrqN/nNipfMXgsybBvUh5pUuqw1OfsXpuVqAMdJaqmFSL6mkpUPfq2eXaTRuJqmyicEyLsLlQyq3dPkglZULDWAn3jaciQ
            xDV23QAUjbmVzYppeLXNZlTJL1ROKEzU8xohX2h43ToJh/yOS+7O/QyD97pMQJ2ONATKW/C43a+3RHz5ngoEXvP90DIFfBf/vu6V
            dd3P5A5l8Ww1Xnqa5HEk38LXTITh3gXqzeBLe8vIlCGL3pnwuj7WJdOcMdELsGg5FKClatJTBFYLnPNKPrZ5/Jjr1E7uSMp75Lgx
            aAmG59vla+OBq7D7w3Zssl6ZWDfhJpwrga3skhRAi1stxE1JOr8sZg0lc9T7v3mrHDhfF7iM4GbzMZLcrdmnZEsCzFi5UXvsuqmt
            M3IdcppdSL5Ndk1NLTPJfjq5KxLHuBIf266Te/74uuRgqCIlbv0PuETajg==
            """),
        ZlibVector(name: "text 8000 level 9", kind: .text, seed: 11, count: 8000, zlibBase64: """
            eNpdWVtyo0oS/a9VsACCPYGFR8S0IC6g69CsfvI8sqrcH+2WraLyffJk8jqv4et4/3lMw+tTnttreL2/nsNz/ncdh5/5Ko/5/PqM
            w/K+h/s538N8Dcf38H2cw3Mdrvi3H8PrOFeemP/8ac8P876vw+d489g1b4/htV3XNCzrtv9neJ3DDwTjgu2eBgoatl0ndQbP4ToK
            CPH78LPdz2GGLtv+35B1hdBh+cTJU3+bhvX1mvWju4k2Srd50qW4arTY/Zh0v+6daeC/6/mR0aHil3W9x+G5XXHruutHSB55V1n/
            bP+blzUU3PY4tepk2DCnuh/4Dn+c94eeDjnj0B6Et0Ie7Z2HY+fh1xlOgzOncBSdSevsoggZvY0fk9Tl4xHOEMaPcQfs4WdcSL+E
            TfLoc0PAwn+4SmGKpAhL8dw/7+1mjEOzyXpdjDP+cxwK75j4DF1M/eCEhXlR4r/IJfwmR8iZ0BQRn3jfc34oioeMoPdpGXSHKCca
            fyCCZUMIoOV18ApFEM/bRfH/Esk78/K4gnGh+yMzD+oHHyJ1t5vZhDLQ1/ILheGuiXJqbh8MvJ9HjJShMC5+u5HS1bMpRl/DSSqP
            e/gOSZ8u/Drxs54rj80R9yiTUG+CKXEx07+eL3nvnLnIfDurZOQZrwijWCsIBo+7wCGJd/Lx47vAdYr5fI2+hzkR8S88iRqmt10C
            EhMO4++uM4aI3vf5/dFKTXU/IYOgMJ1AsGGYdErQwBxY1gJnIAuap1BAL2KQtBUSsNrikjFFsDgNVPH3ScY2JOEnastfKQ/RHmuV
            Mo/uY5R5FQierDVECyW73eV1OhrAQ6RJmE733jiKiwuCcPrCRMTIFFTpKWGUnwVsQLwYE155PTPxb+XDKO86YM757VVo/YgkBWLf
            OqXyDw/LtyEvAELAooRs3nUU8RTNpqrb7RBOhMsN+UIPS+7MlOeDcAmsZkTj4jCSvhnhlNmH+BBOCkJu4mWWVIFHlG7nJYzbLshF
            XRTZiTDDabKeh6+nM4GqI2vcE5gZJy4oyGtDmNyC87zdmQp3hMAle8/JrFL5rL7C2Rq26Y4TVzb/4Vup1f4G8N8FmbNQ/GV8q1BB
            oIdsGRPSqWoC/cUibDfyYTfT0GJkQoSLGC1egZvX0+Fl5tA8ww68yGMQGUcVxkuw0OSUCB8MQq2gDEa7OH4QS6aEc1wN2eVwdblU
            2JgcJdop+dniT3mks4bAjegthhbgO8sbpaDsOlUS+AMSExD+XBsUWslwM8sHeWJO8mD2wiBElhUX0FIsPpIdf0LPQAeDWwxI1Bx3
            0aNAI5pUmADUKUrrOqhNYi31ZBqGSMJ4FLtZCXSUI5h8UIzOCxFlq9grwF6pSmgciiFzkEiXT7CEUBeyBb9SJVw2mgzVlKFOoWef
            RA+qO2YfkFLIcSKbKkU+EeAJtxLAWpqE7cde3ArYVjPG4awpKxEhZfOgxfgXLmkYhDZ8hvWAlvggZuEQkLo883b5rqN4LlT9fbup
            Iq1zQ4djdVLXMVfonzhB401jGEjaxk5QA0FnXP3T+6GUIbJfVJ4Mt+ubr0/tHA17gSN4gIn/F/tL8D0tyCzU3drFaQALhWRAeAq3
            w2RSc5st0C/IPlHfvyFkHrO0b6KAiGWEOmE32SLIEr3Ie/hDpsjdMng2r7W6/Nu2m2hvdFODBAF4uEzXstdghNBH8XxSxko49OGm
            xvz95DCx7mqSzM2DRr8lWJqk3hXm8UnzwRF9Rg42RTb+gDXJPHR+kYQPczKbKVtDiK0YQlS41PtHuu5wXoCmduMKPaAObVx2EoUr
            on4U9PjQulHfQ0bFfTfl+vStOiHqV04pPl82BmSKqqP7q2mY8Rs971prL6mbHAYPw0OyxJztL3TB9z8grbWtG6xFFni/vpRWURMt
            +FaR5FRjysvJT/8pBL+wa4LrpK5+ElHCPXQEeZ/7KouSUjoI29Jjak2ELzdSRv1oDWJJNqZqZ+M5oBfVNNtT7iixnr+ixqkF0tMw
            1dBVx9iTajMwJNSgEwVEmc4/BOpnG52ZgZoICJIErwyxhjQ3VN5AUcf3yABV1yMaxTyEz3gPQBt1W8RMznGVe4jGmLQk817MYkSx
            kMUk2p6m0Y4/HgyvPi85psF4KeDuULtXx1PwEYDHSIRGNEmyTUdV7/eUteGclewc18TyBczHRJ6zrJUye7nBORAwpPqmLYVp+tAJ
            8aWZm4CJwQyNCAzCJMA8Z45NHNEc2hPnN76X6p2lfTum6p77AVZJrR7Ojjf7o0Eb7oND7JwiDzl4xUuClVyhDyA9gzKNeS8vpL4Z
            874sdNjDdUn/jc5jYaqyKedf4ejKSZwBUn7Wxm2AQVjiOc9XteGoTjb+GxsMJTFsMzSpWJQJQstSOrLlGFtBVNH92GcYPCIPFi5a
            K9Al/CIJ6cqM6XBU5aPW3nCL8jZBmVplLX+vEdAKw2dy4eYGy7aCRkpOkPOfW8FLO6w6ctRVmm3S3o36qCmQm8xaEhx7615jtb8S
            YYasLli8HGBZfCcgPkXLqFOF+alVxn6MdYc08VOOr1syIlj1SVr27uJwJkSOv9IQ+LZlhxJv3DNjIHduUc9N3I7qNtbf5NIHh56O
            0Fzm3E5ItI3TNIj0CmKwctJCU2sOWn+VbtTdG/Sp2OOWUTVr9KsUdPR0stCdtEiK6YyGMbpctXxpbOGmyFuulz30XPs9Ul0n8E7I
            /soCded+mjQ7WEE17N+Kf0F5qYAWG20MEGliB5sN+fR5v4rqehXHBrFfa75XAgyqwvlBM0I3xiFLcr8zJDY1CdeRJ+DisOovFHx1
            eyyzSFHzX831yA0mFgP4ytuNKzF7V6Mz0Su5EI14e0uSleCyV7fFFiUU7OR8i1W7NDm4eN1Veq9hszRfcoyCXxlJjXPEPcGV+775
            Gg34EJ8cjD1Fw6O4Ybeo2npHcmvyqYvTbilY0ST7YGaGFhCYe01+4rdkOsta167gu0XDQRbCXQgPR01+LHq4HK5YiWw59rbQz0Uh
            1x8aI0wdIad08xR66e7tixerP3XQbUNHeVbQqYM9azkqU2PvbxI8atboSnHTi4w99xK/m3BXKJwMkvRTZ6NCTmIcdfC4dqlMvq+2
            4IIvuobnwyO7R93DtYmTDLZfTn0YGi9IHjmC47ymjplFnEuoyqHNLEe7pTFGYbuHKK+1NIsykHj9QkhHTnWjhYmOLCH6617M7qFr
            n4vQg+jX3vDQZdXVl7jTL+q7fLyIwPxdJ9Ku2x67tvq/IWLxQvPX6tgXVx6hXbsQH336rf3qqBcCpb5ioEkCVbSsUwGekoXmHiBb
            XB7q3/pUtIb6Y26j8hWDx5Kfti3jOBNpUuqwNObsXpuVqAMdJaqmFSL6mkpUPbrZvLpJI3G1TRTOCREOFyqZ1WckyYQsKFhrgb7x
            NGRI4hq7bgCKxtzKZsU0vNpmM6rkFyonFCbqeY2QLzS8bl2EQ37HJXfnfobBe98moE5HGgLlLXje2+stEV++pwKB13w/9UwB38W/
            r7ayrvuZ3KFsnq3mW0+TPM7kW/iaiTC1XaDeDL61t4xMmbLonQnv+9e6ZFkzJnoBFi2HArRUTXqKwGqBc93Jx3aPH2ud2skdSXnP
            HDcmLcHwfL987TxwF3Z/2I5N1jsTqxFuwrkS2MpuV53bTiXFfhRTksEvi1lDyRz1/m/dKwfO1wUuI7jZfIwkd+/2KdmSADNWbtYe
            u25q64xch5xuF5Jvk11TS89Msp8u7orEMa7E577r5J4/vi45GKpIiVv/B7hE2o4=
            """),
        ZlibVector(name: "text 8000 fixed Huffman", kind: .text, seed: 12, count: 8000, zlibBase64: """
            eAErzkhVKM8vzUlRSEksSq5UKMnXU0hUSEpNzVMoTy1KVcit1IHwkioVkkpLFHLzwYIKZalFlQq5pckZCpnFXEAzEouBynSgRmUk
            AnFqkUIJUCI1NxdqXmYJRFdaYl5epUJlfilQXRlEARdIB0RRnkJGZi7QNi6w4YklCnn5CslgUzOL9UCmchWDJEoygFJgHWAXJSoU
            A+3KLSpWSMxLgdgJVAF0dSrQRyDH5ZYWl3ABDQfrA7oEbHUSCGXmpeuBfJQIMak8syRDB6oP7FIdsFfArslPgxhdDjQQKF2cDzIJ
            qBWoOjMP7Bqu3MziYqAGkBxIdU5mVWJSakkG0GlAqzPzsiEOAHpeByQP1FhYmlmSCvRzMcgskJ35RdCoyMuHBhjI+SCngaTKMzKT
            M8B6M0t0QNp0IHJA/aAQSMzJ0YMGF8hLeXlgIZAsRBDuhjyQqaBA0AHHBDDkuMBBAfIIJILy8sHmQ3wOYoBdXgzxGzREwTEM5ALd
            DfQg2O8gYR2Q5aCUAxQExqwOJJShaQakCJiYwB4Bu0APLKEHNEcP6mJgFIITH1AZIgTzgNKQ0AWmFYgTgQmSC6wDpJoL6AiIPZBE
            CIp3PXB0glMUyAfw9AYKEEggg6ISGJiw1KgHDi6IMSCv5ueB0l9+HkQcnH5AAQhJmxADuTLBCQqkGqgUkgxB6RbiCpBfEqHZBupl
            oGPAIQF2gJ4CJGTzdMDxDXIuV3E+NC4SgSmJKy8fEtvg7AfPDKC0AE7+QOP0IFEIig8QA6gGFPxFxeDYAXkQ5ChQ7OlAnQ/OQeCQ
            AZkJDCiQm4CeA6kFGZwIEgPHQHFiZgooGkC+B1sAjGyIN4Ai4PgFeRboR5DjQYZl5iEiF16KcIGcBQ4PLqhmoA6QoyCJHySbCCHB
            aRWWXsApCJSQQI7SARkNtAWSRnSg6QzoQz2wvUCsA82XXBA2yDpwxoaUY0XQBAxi5BZxJeqA3FkML/2AIQArvcD5EmQ/xHXgwEIk
            Q2iCSUqFJlZg9CGSMiSMwP6GaM7P4yqH5kaw83QgSQacAcGZNw+WaMEJBeh9YIoDlTdAK0AxUQwpEMAuh5UcYC+AYgwcGvAsChTV
            gSaOxGJQooTGNTAGIakXkW8gbgMZDDIGWkLrQHwKKyeAdoFTBST1QESBlnOBfZgIzcuV4IQNCmU9UJIBOQ5iA8RuUFiBFSLSOzh1
            goyAuBlaGIBFQEkoA1TIJ4I9BQphsLU6sKAFaoC4HORiPbQ4KYaGAShbglNtYgkXKP2XQIsxiIvAtRIsDxUDpYABDLIXlvfAAQVR
            CmKBDIbELjiQID6A+BAc+SCDwQkcZDGkrC4BC6C4DsjXgbhcTwEWIuAUkAl1NrSkAXsTmgbgxXASpIgABjVQFOin3CI9UOIARSY8
            5YLqLojPwZUiON/n5XPl5+lACwRIskc4CRKM4KQMyfWQNAiOdYQqaGkK8j8XrGIHuhDqfySVYBeBgxCS1ougasDRCm8S6EE8mwRL
            HUA9YAWo9SS4fQEpUyDVFDi3Q4o7kHMgcQCJQIQ2cIyDK0BQtIAzIIgH0QLOrql5kEoL6BdwYwFeTZbCSiqIm6FJA2geJKmDChdo
            sQj0IbjUyM+DFVDgNAeuH1ORkjwo+MHZHJSi9KCJGVIMgaSQfQBKLuD0BauYU2EeBjlGD5ab8iGJMxOqmgtuHdA2eKUEzuOgYgxi
            ATCHAKUg1oCSHNDb0KIkD2IaOMwQQQgMJUhdCqsXEFLQbAirpvQg8QZuFoEyMEpG5AKFQG6RDqTSBVX+0HAGJkBwAxIcXImQEhGS
            DpMgVQDIPFAShmSsXESlVg7NrZB2JSjhg50PMgiU6ICBpgOObVCeyQdmD1hDBdje4wKlI5DBmaCKA0hyQZu5QK/ogUIfFCTA+IE4
            JBEUtSDdXMA44wIGCEQYUl4VQatNSFiA2FCv6UGiFsoGOgIcKMA4g7e6wCSk3QozMTkD0uABNWjBaR6UqErBtRssY4OVglqfUE2Z
            4AIjF1rvg2tkUKUCshscZpBUAG8YgMpkRMyAi2ZQ1Q6utsFpvhTsKXCrSQ/cvAfrArsMnEiQ3FsOS6xQixJLwDpA9oOLBGgMQZsb
            kGwB6ziAm9aQdIyUX8HFHrj7APQKF6TpC2+RcYGiPxcWv+B0DU4l4JITWoRDFIO8BfIIpMwF14UoKVIPnJIgJTvI6aCo1IOUeEBd
            0HQNcVxmHqwBkAmr+iD1JlLhBMnvxWDXQoIbLZOA2/3gJhAkiYPDHORIaLyDYhra4gd6A5YfdMCq88DtaHBBWQLtzAD9kwfuZ4D9
            mAhpKSJ1qZDaKVyQagxS2YESEVhOB5LLgek+E9oHAgUDNIIRyRbRjiouhTZR4RUT2M3g/lkptNsECilw4wFWrUEiphjWlEEK/SRI
            2tQD1wnwng3YFHgBBgl0SJ0OqZK4IH00cD4G5wdwEQnLWbkIY1K4wGEBaYRA2uHgdlReCnLah4QqSoMcVkhC0g04fUC6Y9CWayXE
            /9BmEzgTAiMCFGcZMB9B/AoO7WJYWx4cDsj1KdCLOgrg8j8VVkxngusTlEoP0lCGNtThxR5SWEEcmAdL7pCWLqQjkwfLfCD3QrMZ
            SCID2nIFtVDggQxxFtw6cHDCXJcIUQjN8OBKoJILUkgUQw0Gl/hFMDVg3bBmC8guLogHYZ1aHYhDQK0QRAYERQSIwQXuLUOLk1Qu
            SD+jFFxsgxv9iNob2ljIg+ZdkK06kA4EOIZ0FBKhFROsIoYZCo9waEMN5BodUPAjAh7Sqs4DtZ9ABQB0LCIVVgJA6kOwKSiNRHBN
            BR39gJoAaXICkwtSiY9StUMHNhLB/fZiaPGhh2itwqogoBGJsPAGhTXQ46DmHrT9C68KS8DtVi5IJw1chMAak8CggY4JwHMJpPML
            KlOLoEMJwDhCNOtBdsJqYlBCAOUQSAEJtAjargYN84D8D8rEkC4AxKGJsAEIaBtFDzIEkQmtKpBKfHjLB1owJUKLP1AbCzqUBCk5
            wTkeNsAA60nCUiDUM5nFkHQFjxtolx02VgEOU9gQVEk+rNDmAju/ElaJJyK5D+hi6HAPoiFXDCuRFeAVEmK4phhecCOaVNBOBqjt
            B/RLcT6k1QNyGhe8Vwmq8SGZGlZuQPtoeflwa2A9YEQhBXQ1F7hln5iHGAcCBxU4G4IZ0MY0uPkJyqmw4SxwuZYI6wIh6iBQMQuu
            E4CawAGGaBZCSoY8WEkNqY2g7coSSLVUAi5igHkXZDc4XKHNQXAzAJYuYcka5j5oyINrP2Bi00EusqBDKNAOQyq0rZoLKXPyIJUg
            MPKAgcQFHZKAtUiA1nNBej/FkHE68GgBrN0PKwdhw5TQwAN5ARbrCpBRFlDY6KDUX/DkCm3xgwMbYjOkNVoGLdNKID1bSJEAMocL
            qZgBV8ewYhPimRJ4YwlUqgFdCwldCAkZpICPWQFTajGkqID2LCAdT0gZA27/QZIjF7hcSSyB5WvY8B/IZ2CHI0UOdEghFV6og1To
            gZttyB1cWD2dlIroH4ObNkXFcDFI+kd080C1oA60m5sPbuXCurLgpia4kM0sQRQj5fA+ih68/1cCie78NGjtDKkPYKPS4NFW2KBk
            HqJDhlbmgIK3UgdRnoIHTKAdcXBrBVI0wLr34HgFmQDrp8LKPnB0lsO7MdBqDZSkkPuMYKcnwwfAYYPkichjhtBuvw5S/QYKf8jY
            GFRvJqy3CRUGBxt4rA3oQMgAM6w3CBnRAoUjwtMQJ4FCPTMP2nUB90fAjgA3LmAtc3idBdECHdIHD2CBqxNQRgNpgI0+5UHqAT2I
            RvBwBHiwD9hgh/QsYf0PUAMRMpgBLiQgwQBqSYMCDjH8AU514GE8YAaBdI/ARSes8tNDHq4uzocWqeA+cjFoCJwL0hEpgTWaKqGN
            SKRinQvUIoY2lVPBJQK45Z6qB0n2lbDKDjL/AKugKiENf0iAQNrvsPEa8HBACRdkCA7sCrA0qN8IzXuwgcd8aAmoBx2+AmdASLKF
            9G0h5R+0ywGrskC9FfgIBGgQB9aYS4SYDm1ognOIDsha2LQNNHeASzZYmQvrFOqBgxpajaCkWbB9iDEpSJOkBNoM14PVnvCOLKSG
            Bxf2qB1/sGvBI7h54JoMnCAS9aAjDqmwUgxWC8BdAfIEIt2AAxlkSias9QuqQsHVGKT5CuqBpEJqT/DgMLiwANVg8K4CtC8HbaiA
            i3PwCDm4+C8CY0hti9y4zCyG13HQcRdQ1yIpFTbfUAbpIMMCMBMp1MEBB+36g+snWAUBiTfo4Cw4vSDGm2A+QA5AWI8WbCCkqVoM
            LZ1BLR1wZAJ7RvCGCDwSoKN0mfBhPUhYQ7ugSCNbIK0QFqwMBbc4iiEzWKmQ/AitlcA4FdJQhI5+gT2EKKLAwySgoISW9CDTkdId
            3J3gkKyETClAMx7KOCrIg/BGJXg6DdoZgDfodMCNMMiYeEYqNP+jj1UCkxzIzYgWODgZFUOnc8CdL0j5BSpqQJ0G8GBZMXRaBJw9
            IC0qcOsGmqbAHVRITQ0K3lzoPAgw1LkSwaVGahFyIwdp3B8yVwHUnAebL4F1DWE9T1DkIjc0QK1tSAlQjFS7F0MbFEngWcBk2MQW
            MLVA+2mgOAKbCm9NQse/ID1boPXgTFcJLbQRQ7PgagTSGIO5HpyOYJONoAgETaFxQacVYTUsrCaBjdrD22mI5MsFH3MBScLH+JBK
            KvCMFrS04oKNjENGbkGWgEfx4LOJCpBh6uJ8SJ0EGWEERS+0PQoZ9lRAVIxJSB0bHXizDFzPQhwFzhmQfjikCoFWK9DKD9bZAze5
            QOPoaZBaNxNlagfSxAYArsrdNw==
            """),
        ZlibVector(name: "text 5000 Huffman only", kind: .text, seed: 13, count: 5000, zlibBase64: """
            eAEFwdGRpDAMQMF/ongBUOQkg2alWizXWfJQbPTXbcoz1n3xSDKCpph3yjx+Mc/t0anbOdZ98dX57vQxlTKprQZ9TCUHgvYulCme
            OxKhSHHJPF9S/DowuUjxi3cs5L7pL4/5aaT4hRdlHr8IfUw9kCJGkaY7aUpTPNHb/6RpGX0mZR6/SFzEqJ1HpzKCFL8ok6IGfWWR
            pluMOjC5MPkq51j3hUQoct87jyQ1eHQqpjTdMU/6mIre/idNy0jTne6Z1EDu++CSeb50z+Sr80WSGnjSVAO5bzwPtHehrywenYpg
            3ndMLryosZOmpClliiTPWPfFY37ajumkvZiSgxH0MfWgTILumTspfm1lUph8FfOkqQYfiXgR+sqiTALzRArzxOvgMT+NR6fumHLJ
            PF/MO31i3vnqfPnqfDGdtFWUefyivQt6+580LaPPpKkGXjzmp2058KDP5JJ5vphclHn8Yt6psSOF3v4nTcv46nx5vAwPyqRoLyl+
            8Y5FH1P5t7x0a4re/idNy5AIpakGI/jqfOkvUjt9JmUS5OAjEe+ByVc37V0o051HpyJF90zkvumeSQyaevzwGXMr8/jlHYsaW5nU
            wWN+Gjno6zQ+EvFS5vF7UObxiydNt49EvDT1+EFv/5OmZUiE4nHQVxZ94kl7D/T2P2laxjnWfW190lQD7V22Mo9fPhLxbv0l12mc
            Y90XppMYxQi0dyHXaWjvgkQoXkiEYvJVmpLrtB3zvo3AdJKmOx+JeJGieyaPl5HiF48kTTV4JJH7ps/EPDGlBiOQCMXkOvjqfKlx
            UObxS4zaHvPTKJM6GHEg98347PSJJFI09fihKX3iiXnf3rEok6CPqZRJYN4RJBlBU7pnEoMYRV+n4YkkkjtNNbbH/DRynbbTZ+KB
            F6aUSXGOdV+YfBVJ+so6iEF7+ep8KfP4RSIUiVAkQimToL9IXJj3nc+YmG7dM7em9DEViYsyxTwpU8qkMKV7JmVSSFxIhO6USVGm
            O49OpQZlHr947LQXKSRCkQg9+IyJyVcpk8ITk69uTXfkvklTPmNSpkhcmHfesWh68G95KU016DMPPPm3vJS+Ttv6Oo1Hpx58xuTx
            Mvo6DUnaS1PGZ6epxw+fMWnq8UOZxy+Pl/GOxeNllEnt5Dpta6qB6aStIsUvLpnnyyXzfPmMiencaat4JOkTvf1PmpbtmE7kvmmq
            gd7+J03LaO92yTxfctCUMik8eMxPO+grixh8JOJFb/+TpmWUKZKYXJQpfUylKX0m44MXfSJxUSZBn0lTj5+DPpPumZQpZcpjfhp6
            +580Ldtp70GMokyK9h54YcpjftpO90w+Y9LXaTTVIAcjdmLUViaBcI51X8h9E6PoK4syxeSrB48kj07FC/NEb/+TpmWcY90X/SUG
            H4l40d6FvrLIgSmPJI8k/5aXkoM+k7aKdyxqHLRVNPX4oSkxkLgw+epOW8VnzIMUvzBPHi9DIpQyKfo6Db39T5qW0dTjhzKPX/pL
            90xMLsw751j3hclXMbkYQVMNmmrweBllHr87TTWogRTPWPfFY34aH4l40d7lYHx2+sQ8D86x7guJUOS++YyJ6UTiQuI66Os0TK6D
            c6z7wpQ03emeSZ+5I3EhudNnkuIXTTX46nwZgXmnzON38zrwwuSircIDiVCaevwcSHLJPN+dMik8uWSeL+0lB90zGR8kQnc8D4Qy
            KR7z0/jqfEnxi6/Ol6/Od/vqfCmTQHb6i9ROH1O3z5iYfHWnqccPH4l4D/rEcydN+UjEyznWfaG3/0nTMiSugz6m8tX5HkhceBGj
            eHQqj5cxPphOumcygjTF5KIp5h2JixS/EPpLX1kHbdVWppgemHe6Z+540Sdy3zuPJGUevzzmpyH3vVMmwWN+Gnr7nzQto0/SlI9E
            vAd6+580LeMdi76yGIEnbRVlHr8HnphO2iqkMPkqTTV4xrovyjx+8aB75s5nTGpsZR6/m8m1PZI09fjZtHehqcfPwYiDMimaevxw
            jnVffHW+fHW+lClNaS8mF001SPGLXKdxjnVfmE4kkbjo6zRGbJfM8yVN0dv/pGkZEqGb0FZhujXV2GrwkYgX7V34t7yUHAdfne/B
            V+fLJfN86eu0rSnmSZ+JJCN4JHm8jP4Sg3csPmMicaG3/0nTMsqkMEXi4tGplCkSF9q7YPLVg75Ow+SiTAIphP7yeBl9TMWUz5g8
            OnXHdB409fjZ+YxJn5h8lfYi901TTC4kecxP45J5vlwyz/dA4qLPJE15zE+jT3LQ12nUQG//k6ZlOzG2dyzaKjzxoM/k3/JSLpnn
            i2DeSfEL86RM6sDk4h0L874jlClNNZD75h2Lj0S8tBdBIpTumTtlUgdNNXZS/Np5vOwgTXnH4pJ5vph8lfHh8TK0d+Ec676QRArz
            pKnGQVMN+rv1dRq5TqMpTTV4dCqmk75Oo0xpL+9YCGUS9Jl8xiTFL1L84t/y0u0xPw2JUEwuvjpf2ospppOmfMY8eMfa6es0umfu
            mB7o7X/StIwyj19M+be8FJOvHvSVxfigt/9J07Kdvk7b+sqiqQaPJBIXfZ3GOxYmX8XkQu6bj0S8O33SlMfL6CsLvf1PmpbhtWnv
            ssl908dULpnne5DiFzXoc3vHwjzx3ASTr+LFV+fLY34aNeieyQhM6WPqdo51X/xbXrr9W16KJzGKPuljKn0iEUofUxkfmnr80D2T
            vrI4x7ovtHehryyE/h48OhVPmmocPF5GrtPoMynz+GUEEteOyVdpqkFTYhQSF56YTtqL3DdCU48fYmxtFaY7pvSZO9q7HPR12oEg
            901fWXjQZ5LiFyl+7UhcmFz8W1669fcgB4+Xkes00hTtXSiTOugrC0/KPH4x75TpwTnWfWGedM/k8bJtfHY+EvFu5kmMQpLPmEhi
            OpEIxZSmHj90z6R7Jtq7IHExYkcS062vrJ2+skjxaxtBf+ljKn1lYZ5IXAd9nbbzGZO+TkOKr853K5PaebyM9m4jOMe6L56x7guJ
            UPqYyuNlB009fg68aC96+580LaOtwrwj902Zxy/miRcmF+YdT2rslOnOCPpLUw1MJ009fnh0Kk09fjDvmHc+EvGS6zQe89N25GAE
            ct87Jl+leyZN+ep8Mc+DvrIOmmqQ6zQeL0MilHcsHp2602dicvGMdV9IUSZFX6dh3jGd1EB2miJ8xqTGZvJVumcePDqVNOUzJhKh
            9JV14IHe/idNy2iqsX0k4t0+Y/KYn7Z9JOLdctDU44c+ptKUS+b5IhGKKe9YfMZkBF78W16K1E6Z1BajiFGYJ30m5n3n0am0VaQp
            ZRJIXAdy3wdNNbZzrPs6kLh4vAwp+ktTDcaHMgkkQmnq8UOZInEhcdHXaTySB4+XbblOo0/KJKhBjKJMKZNgfLY0ReJCexc8+EjE
            yyPJiAPtXbYYdWDed8qkeMcixa+D7pk0xXRi3slBmdTBJfN8D56x7ovx4RzrvjDvpClNeSQp8/ilzOMXU8Zny4Hppr3LJnFtfZ22
            02fyb3kpIzBPPCjz+EUSScZn/w/4S8LG
            """),
        ZlibVector(name: "text 5000 RLE", kind: .text, seed: 14, count: 5000, zlibBase64: """
            eAEFwdGxrDgMQMF/ojgBUOQksOZJtViqa8tDMdFv96kaaO/C42UHggcykaIP+stXx4t5x+SrO6fS12Wc6vEPuW9M6QMpfPLm2pFo
            PDKZppy69UFkIdGYptvf8lIqOV8qKZPiMb+MnkPpaxYzKfP47+Axv4y/5aWYfBVTPjk2idAdk6/ScygmX6WvWZyrNrlvvDgViUZf
            l3G+RBYe9HUZnxyUKXr7T04t48l1tx29/SenliGYtO2r4+XJdbcdvf0np5Ztc13GJwePDkV7F/KzPV6GRChXrrsReVAmRSWfHJhP
            TqXnUMz7gUQ7qKTM4z/MJ+adPnhy3Q3zvpl3TBpCX5dhPimT2s6Xmcx1GV70dRnnKua6jJl4obf/5NQy/paX0nMoU7yht//k1DLM
            O28uvjrenWmK+cS8Yzp4vIw+Jn1w5bobGTy57sbf8lKmKY/5Zby5KFPKJDBpPOaX0V8+OSiToI+JyVeZSR+TR+bBo0M5lVM1kPum
            v1t/qaTnUPq6DJOGRKOvWchE7pu+Zh2cq5Biijf6Sx8TiVDyg0xkUqYHUgcSjZ5DKfP4jyvX3Tavg5l0n5MMrlx3o8m43u2Ryd/y
            Uh4dyqke/3hy3W3HlAwyDnzSBxnI5CMRL93nxGMngz4m5h2TRs+hdJ9zx3QQiU/6moUX5n3HvGPy1c18Yj4xHcg8MGnkh+5zYjp4
            dCiVeCHR8NgeHcqpGjy57kaZxI4XZR7/UaY8ue7GRyJe/paX8phfxkciXjy2U+ljbj2HEkl/kYlMvMjAazvV4x99XYbPredQ+qD7
            nAeRyMR05yMRL3NdhhSn4rHjxZPrbphiOqikj4kpkfQ1i/Mlgz74SMSL6fa3vJRI+kslfdB9TiKLMin09p+cWnbw5LrbwVyXEUmT
            cb3I5FSPf5zq8Y/uc+4Ij8wDKfT2n5xahgePDqX7nDzml5Efrlx3QyJ0iywqiSwe88uY67KDcxX5YeaWgdDf7fEynlx3O/jkOPCg
            TApTJEJ5vIxpypXrbvjkyXU3+rsj0XjML6P7nJj3Hb39J6eW0XMoMjH5KnLfSIRuPYdyvph8lcgDn0Ty5iI/5Ae5b0y+yifHwUwE
            vf0np5bx6FC8mOuyredQ+otM3lzMdRlXrruRHx4vI4MMnlx32x6ZPDp0Jz+cq+hjHpwvj/llzHUZfV1GmQSmfCTiZSaP+WX0dRmR
            Rc+hRNbBV8fLo0PpgyvX3ZhJmdSB+WSKN/q6DDmIxIs3F+Z9m+LtwOSr26mcqyhTrlx3O5D7ZiZlyicHM+k+J1euuzHFGz2HHpRJ
            Ife902Rc7ybRkGicqzDdTtVgJuYdmUTSX0y+ik9mItHoY+ITL5qM6+VctT1exqkadJ+TDCRCKZOiTIIn1914ct3tQIpTNQ76mnVg
            0jAdmA4e88voPieRxfluGXjwycGbC5k0GdeL7PQcetB9zm2uyw7yg97+k1PLyNimKXNdxkciXh4v23oO5fEy5L63Mik+EvEyc6f7
            nGTsSDS+Ol7OlyfX3XakMGk7T667cSplSpNxvWQgEUolkcWjQ+nrsp3H/DLmumzH59YH/d05lTIJ+qDJuN7tb3kpXtu5akd7Fzww
            aZyqseO1SdFzKJVo78IUb0g0Inly3Y3+koFMfB6YMk1pMq4XD/qYmG5XrrvhhUnDJ5Gc6vEPvf0np5ahvctB9zm3RyZvrk3mQZkE
            j/llmHdMB0+uu5EftHc56D4nM3e0d+FUDWbuZODBJwc9h9LXZejtPzm1jP6ivQt6+09OLcOkYdKYpmjvgt7+k1PLMJ/bqczEA5Ov
            bhKNmfR1GU+uu6G9CzPpY27mkz4OTL5Kk3G9W5kUevtPTi3DvPPmwpRpimDSdryY6zI+EvHykYgXn8ikTIppSiRlSpNxvUzxtk3x
            RpkUM9Hehb/lpZRJ7Zh8FZk7/eVUj3+cLx+JeDEdnErPoTy57obPg/OlybjeA5OGKeZ9J4OZ5IfIokwPHvPLOJWZyOTRoUiEIsUj
            E5Ov0l8kQjFpfCTiRZD73so8/iPjYOY212VbmRRfHS+mnKv46njpL+adj0S89JdTNfjqeClTHvPLKPP4D5NGZFGmdJ/z4DG/jEhM
            B1O80WRcLx+JeOkvjw6l51Aiiwwe88t2mozrPTD5Kj7xQiaP+WWU6YHe/pNTy+g+J/3l8TJMkWj0HMrf8lL6uown192Qiflkmu4I
            Xx0vp2owTTlXIRHKJ8dBfymT4FyFScO8UybFV8eLFKYD847HgUSjybhe+iCy6GPigflEipmcyhRvmDJzM/nqTpmit//k1DIiC/N5
            EFk7p26Pl9FkXC+namDS6DmUnkPxQu6bSvoggybjeulrFufLJwePl6G3/+TUMvq67OCr48WDPna+Ol6ajOvFpB1EYvJVyvTg0aE7
            ZcrMA5+cqziVnkM5VQPTwSOTNxfTlJmcikQoj0w8dkzaNpMyKSp3ZtIHct+USRz0NYs+eHQo5pNHJk3G9TLFGzMx3b463u1Ueg7d
            yQ+nUiaBTEwHGXx1vEg0zCeVNBnXu+NBmRR9TLwOrlx3Q6Ih943p2PrgyXU3pMjP1sfkzcX5MhNTyjz+207VIIOZnC96+09OLduZ
            6zKkaDKudyeDU+nrsp0yqS1yp7+YdyJr55G5nS8mDY+DJ9fd+OSgybjeg08OyhThMb8ML8ok+FteelCmdJ9zx6TRByYNU8w7j5dR
            JsGba0dv/8mpZTsmjf7yt7yUyEIKk68icyuTopJTKZOiTIrH/DJkO9XjH3/LSzmVvmbxkYgXvf0np5bRZFwvj0x6DiWD7nPyyYEX
            fVCm9JdKPCiToK9ZlClzXUYkppgO3lx8cnC+fHW8mDRO1cB08Le8lDIJvPCg+5xUHkiEbo+X8XgZevtPTi2j51AyeGTy5qL7nFy5
            7sapHv94ZFK5UyaFRONcRZnHf5R5/MepHv8OyqQ4lfwwxdv25qIP9PafnFpGmQTnqs288+hQTAcmX2Wuy5jJqXwk4qWvWQdy38x1
            GadqIIX55KvjxSePl9F9zoNTNThVA739J6eWMddl2xRv9DGZ4o0p3vhbXkpkobf/5NSyTSbnKjzID+aTPiZ/y0up5G95Kd3nRG//
            yallmHwVD/rgzbXjE58HlVTigUk7ONXjH4+XEVmUKU3G9fLJQc+hlCk9hyKY94P+orf/5NSyAynyw6kamNJ9TuS+OZUyRSbC+VIm
            wbkKrwOJ0IMMyjz+I7Loaxb5QaIRid7+k1PLeHQoPYfiE5Ov0mRc745J4yMRL6aY8njZjkTDvPPmYppyKjIx72jvwqNDkWg7T667
            USaBFJGF+cR8Hry5to9EvHhwqgaRdfCRiJdHJj6R+6bn0IMyj//oPufWfU4eHUpfl1EmhfYulOlOf3l0KKaDMkV7ly0Sk69yqgZl
            Hv8htZl3ypSvjnczn/R1GV8dL18dL30QyZXrbvwtLz04VYNTMfkqJl/FdCARulXS12XMdRmm40DmjkQop3r8w7zzt7yUMgneXEzT
            A5/kZ6dMivNlijf6S2QR+T9/msbX
            """),
        ZlibVector(name: "text 40000 level 6 (several dynamic blocks)", kind: .text, seed: 15, count: 40000, zlibBase64: """
            eJwsTkEOBCEIu88r+oCJf2J22Gh2xKxgjL9fVj1QSGkLUgxSkJvahqSKZLBI4pDkgzxwtbUJi88V35aMt6DH9Iq4mAXafIp0n67R
            WZ10i3OpjDeJDNDzIHLdTo3/JDJ0dkWR1Td5zCC3hkmfGKVN73R4Gh/+rh/hnCkg7R9+TFFtDoMgDP3PKTjAwp1AcZA4moDTuNOv
            rxUxwcTS9n0BWsw7tcWlE5SX3cg26j6cwIWYyxuy7ZG3BLcOYyLYN4OGWqDyDCau+edD5A1f4Fh4xdGVi/Drf4hdmtljPe1B33XW
            tAdMbnb2dTrtJF0RI3w6zYlAitywd4SA6ABysbNpWnDYglHJye/xXkGWKX/460/JyrHFbvkMJSx3FMjyUeFxGGuhKp0/0+SOwyAM
            BNF+z+JLGQUpNFDETW6feTOYuLHEx7vzRcCgzslzVBAdoxrvdRo+oUUcwJxVx3OGSszaHQQB9iWOGleBmZdMaOvW6LVzt46zsmFq
            3aH+eeyQ4y36YzMeF2AqPyfM/XjZspbRylny8VVnRst3QxQdZm+yW6u10kSEZNuXnJP6PgEbXIJnExFCI7wAcoyU2ZcYzhqGkLtI
            J7hhCBZHiO6sEHVcb09JkcHtNdgZq0EPtBI5U62Uk+H9to5lAf836TrL8vyoKnckhGEYiPY+BQfw+E4MFKGBIlBwe/btOjLpMoyl
            /UhaGL7xvWJauvUERS4Fav+cLsJOSWH3qBQlLBJSC/NbAcBUzdQacqrDBXy7UO7mTkkC1thAD41H/JpcGQScjR5z3jMQ0B7FXiy6
            JUPeW84mSHly9Kh5o7xfrjPx1KpeiERqNqfPDccQN32HHu8djvqp2ynZBxjQMxrEctiX4iutzRDNOvbzWS3zX27FQjDaJPqzbfGo
            r3MIF6wd/xG9OtXfQiMvaAhpCfWyx7e5zq4Pxv3wgfYO0tDx54+oMkgBEAZi4N1X+ADpnyoI9iAF7cXfu5m49CK0apvNJtmU5MFx
            zjn0A1GxrTCP5pnRwZdxU6zshGNB/wDrFgmhGvxlGO3vH30cyVfXva2/JFUB2VKlPTmNPKaKwluDGp1hkqPJXOl4X4vbVeVkS1XK
            GDGx/I/wU457UDPdbTa3lbsaL21OHmmFatF4YjS8Ny8smKEK1ObAic4oY5qEY0UKE3RCsZA/qPJO6SPfWcPomQKZkKZP2vNiQedw
            40mApjyQnawFDcwdBoXABxHmjHokaKESUvpVRNb5MVkGOwyDMAy98y1V/2mHHSZVIEGl/f7iZ7fdHYgTHNv5NhTGQhEBelhSDbfo
            yc2fpm2wCgZWbSf/Z60wI0SAqOm0pgBldOcAVkYokDVB2BjoGvmO44CZzTasd4p3PKEmHQBwCKFXiRrny7qeaBPc+m5nn0HX6i03
            fdmDioW/525GxbYD0LSppSJw3eFB4NCNaWg6Vk2cWQDUplNtN9dLVMwfIfk4SbWVfbQytyuV9bLflP+LMLoVRX3yXr2aHONOMdIz
            EnGZDuc5hk6vGhiq8o1dU2Qjo6qQco1SG2qf6Yghtucf0+W2wzAIw9D3fsz+aZdOm9SCRLtN/P1iOwk89gbUMc4B1KnK38Sspo1i
            0H5O4hSbYGf/vqRcX0YMXwpmegSoRnzV5zKFFcMT9DRJzt4DJDWtvYo5BTrGQEqzZaBENheJqZYFkTXZtEKqohzZtoUf80rZKqIG
            2a3NDfSJpawlgvz+ipw4Izi15gkUsAG7I/WbW1AmirA2wytXMyllVVmMWIyV0mnC6rUlPtWS2YAqIors1mjCHAUj+5ijJFLiGk9g
            D/ahHd44pw3JMwOcc/ixhnP/st05LCED/TndWR0vepasDRajUPJf/zNdBjkIwzAQvPMKHoDyp/SAlAOtRE/9Pd7ZDc0FUGkbx1mv
            x/5WBuV0JQvd6WcWG4VMu3t0xdbyipjIMm9Ruuxzu56rqW1XWsRZsTpGjN5k5wseaOhmSqctELH9acZ3KtCX7RTeazf55pc+Jjq5
            MHUMM6WZ2wLkn+kxJUvEgZ76LPSpl2XOIZuVju6GPrKglsjB7uEcyEhhxfTHqTwmXrTMgeDPJTFXxTcitVTckfjH1myqrRfY1KY7
            VacOilf5PCAvYzp74fn0ClDMYtfK7eZ9DMmSHK6wpvTAdgvGyfgPyhwxQsXaQsnn2MOI7wyuyf2PCzNIYhCGYeA9r+gDGP4EMzlw
            gB5o/19bK4dM75DYSiRLWemW4rm+3aF6SBkZsMQot1pwaWnZqCr+kHkTuHsfCfAuaQ/gLb+Y+id5xkaT11C9QJeEO8q7EEUy7V1u
            87a5s3TvFWfVlMy/J82ZHE3J0zEJ0BE3NolFgCITBTmnEpCuYAZWIhQRAxp7LJPxrFTY8ASs96r8qHtm7RydDubEWi0fCt7tmV/c
            iimdHx/bBPt3laMvN5NU652Wt5EoNYH9bFJk1gl9AabgbZx/WUswjK5W9D11wxRwliAxdRK+uraRgzsaXm7gL5Lr4iRJEK8KpXCG
            afZjw+x1EASCINzzLMZ3sjDRBhIhMby9N/PNLlfYUnDHMr/rRc0wUMt4GbCT1xcIefJLpXsQuLZ+icu1H3k4FxcVjVSdQ7AgCLmx
            DSnrX19bqMl75EZZ4pgDPCXHwTVAqJlGB/5UHCX089If3X9Lv926mXtIHqAU+fWM+lpRjyqrqcKRn4om9+leVyamyHQ3Zo0DCS/A
            OS8Jny1nTCvddySh/Zay2pmS5UNIXihjI1f+mo5IsoldYVEnKRdKainy2VuvCQhKGbK0jFadDCBoAOIW35MO5qbayQPl0iGa6eL3
            SPmCGFda41lD15NpN2S9ertKUz+Pbc4JAnvoEvkqg5s8+8eEleMwCAPBnrfkU5uEggIsBTf5Pd451pZQCqSgxczOJTeviGe9GxNg
            sI3OUKRtHROdRPHlAiTGFFwnaPpVz44ukrVKAsPS0ZxDkRVSOs5CzIutN6upi9gn6Ue3MqG/1Ie5q3LAiKl//P0o629B5lUZmOsR
            eG+h+istY0qY8d1wnQ7t/C2uQMTBY+DtdGVIM8k9BNZScF5GHvZNrMdmtiqpSGS89f53Uz284/zg7I5ef3AP0xFLrN9VBHLu3kSO
            sOiuFS/KA5A2DiK0Rc0ayAcn2nN56AXHPqj5LH+VCly5LpAvYEHpgv+e5mCF81Bl5TgMwkCw5xU8IJ8yCgVFhGRIwe/jOXa9KUEy
            h5mdC+KPHPfXqZLREX+wJcwmSW90a5T5m82Ym26/RMaGUjPaBdGm7WAJxXML50xu2hOKYXvn3W8Hg5dM8vSFoj4uFz1FRlalkD0z
            tdDF5jdoLKu2gYA0ushDfVEk0rQDqP64B6MNDgX8Mun2EGqaCDySL9TaJQHJw/fikriqpX8R7V9reCrHsu0xygLBMUFZHE9dI43i
            3QIOTS7WFNLL0qaSFdgYz7g99tbVe6vXQ8d1VGDYOUmC6RVcchFI/EzSdO0fnv9kWtZsnPx5s8tGj8nFiR5C9yGesq4Ajysx/Mgy
            gxwGYRgI3vMY/uQKpOZCpJJLf1/s3XVccUMcokASZ2fc4ZZ4PDzSVkEUaWuxlsJEbHd3yONTKJpC32bEYqQwfgDVc8zWFPrNGxiN
            qMWSaBPtiVJazyaYMMqTDqPxILHSUUhlp/28KxXT2i5/Q8VZDIdsVSgwpLSLQ4jpUJJ8aEzi/tkjanTTvI8/oWd5oeoBZBSx4vUt
            /TgcOHhy/9ZgIr7VDrkmAduLVBJJXO5H6rfkZ914OuDBjDVjFDZkPZlbKYyVypuDMNFMjaguR4sWlS94n4997WDH+Y/QY62fJUG8
            AbfIsggk+sOZDzI1+xLwmlqdih9ZZpCDMAwDwXsfw59AKjdUCRASvye7s3aicuGAII2b2GvP3s8Om7GE44Pje5ENF2N/toh+8pxV
            u+h7qgb+N9E1o0VcUH8Fk+CtGPNe1rRo1hsNX8gH0HDBZ7prZaso1nIqsU1Gn67eg1qnD6dYii7I1vVcjAwyu2fEutWArHzzk5pZ
            kV2xKnreUNf1ZZC7vgovRTiK2j5wdJBQndxligtdBi1z18DCBHRG4xZAg9qZgnroCPTd6by0Ssh6J5rvxVvClFzWf5dSNU6DnW1A
            Mr10vbNCWizgHwyNigVGjRPh74a2wpw4qQH+zNxFqt0+Gduz92k+ZDg85um6KIykcHL0FKTonH1toKX30HZYo6yOH5VmkIMwCAXR
            fU/hAYx3sokLFuICNfH2wps/H1g2thZ+yjDzPr9FiUmO8Vws/UxRDkmDoycz3LrbpCzUuXq/OgJyYl61lTZr4UmAUmhUCHVPxnw/
            y8u/9tGO6BPMMX1VfjPugDIUyRzzKVUCMe593UzUvg+l11UKeFWAS/VRDZieFzdr5avIJG7hLOra96X33nEz51R9dM1ir9MCQSI/
            qdNEljGyluVqnkIW9BQuLj7BMC1ZUAaVcjlqcNj5prEqdSr59oVkgC7NEi3h77PFhvpYAYtb3eTJnjNEEBJB1YHElnvkiCeopZJ0
            N7EfQsPXONTBj6YWTL+XU/7iIODGSr5vnPhPpbnkMAzCQHSfU/QAqHeiUiqxSJBK7q/G8wFnmxXBYGbemBoFcumkW0o1baey+Xql
            sHsFk4o2ftuhBzX+Sm9FWeeirLyyDTHrkZ4A57UkgQGBjOfpzONocRSDa4bJYNcMErhLSIC58C1wj++QbsP2VtAh9o5zEzrknzna
            gKvvqxUyk3Yl9EZVjtplJQ2KMnppgD7MRumrfQh4bVA5OtOuBeRpke1pZg56DmV6i3jOwOzuHXXJ8Vj8m/QwzUZoz9DKsCFPGIBq
            286Je6tI/RvddSZnFnRXkTLajTrmQw1BCVQYX9yUCr8zNJUveyEGjULeRZbanxcbaMAMkE5ojZH8mTSXHIRhGIjuOQUHQL1TI1rR
            DV2AkHp74plnJ2sEJPF3PviH9ntJ8uKIh7L5gVFS8O2qeDoLD2wW7QKNbnNxBfAJDlUnLneV57NyDAIIwoJZpW3hVPd06Nlvl5oN
            LBPJUPgmJ0lfqMx/1V/Zr9A/ncFCIrft7YrA9WOE/BgDzy3wKCEwenm7RpVpWOsy0MsmyRMxxINrY9ZDWhbKKot7Flc9SW7RZCRM
            K6vHLuz91Z6Ml3+epRBiMIEX6r6HsLsI1dvPiJugOQPpDyIzNGOLuEi5Jo7oM6QYrO99zZTd1oTpPycsJNLEzqefClKjgjOZ7tRs
            hgirgGBhgKqws2F16qXVjchAJVde/7k0lxwGYRiI7nOKHgD1UKhU6gKQEF1w+8qeN07ohhUIkhjPz7GWgu/1kAk0RIxmZsnzjifN
            Pg8ybmrbThS8AWStz0Y8GEqbsd+Wvj3lzvQVujJVvrcWkW1qEBhpVHzgq24x86XPGt6PJfc/9JbdZIGLxau1iMChFl3n7IMi5v/E
            bnOh9c7E4VfKQ+MacpG3UYHKD8AXbZauE7n4Kvy9z544lrWmys8pk7nns8bwRiKXj4AR2kQRz7cKrrLhs84cO9XUbipKbTogmdxD
            V/1ZWY+X/Q/wQZj64v8GBwM5jffKPqJOuV5Dpk3RnwYqyIYkR5AMtg0NK9cVpb6oaH9UWrkNhDAQzF0FBZzoCSRSCGwJ0f3h+bAT
            YozZeXaGpQHcJvwq1Je43K2HFg+rs4pVsfZJCENRwom7XNngmL9os9UBTSJo36OuUg+BVndTbmPqMkTXxjgF1nBBM+qmMkFNHSuK
            H+DQnHEDYUsnNu3f3Qwsru5E0OVkLW66DOkXPKBBpia/6YZgDA+LBsMPHldu6hNkahECNH1N8v0sbmH530qUpEiO+b3jU9xBGOsm
            jCS3BOlx+L7+InQ3mjinVk7VDQfrqAkM5vTZmyduBo9TPzuUQqxLu4pd9qKySFKaWIafDHPlVlIM3MtJpmgoEr5izOo6St/9sa12
            s6woGvxzbS5JCINAEN1zCg9AeSdNaZkFZgG5vzX9GYgXMIhk6NfdzkkQvtT7zkqdbJ4ji8pF0N/cw+EjFBLlFVTx2sfqacIw/+35
            fZ1rpJMC/4gJdY7u+j9gyZ2kPz5P5yP1kE0QcMKQhVi+DoJ9/G7RE+Sbv7B1WHEMhXmfSsfFZsQHM1Z90UtVTTzUybAXtIhTQKJb
            7Fv+IDAs9kRmAalJdlHz0K3NzI/Foetxbp+JTMK8iaBPWDkNeKWJJEFkxuPcKmzgI6CKO1R2d+x4ZyNNw3f6bAjslS1gYQfwQTFY
            JUhciHoOYamddGHSSRYVuSEQms9/Cbi6C7smubfsMeT6EsMyb+o+Fz8qzSWFYRgGonufJeRWCc3Ghsb3p2g+kgpZNuDGsjyjefV1
            mJ1Hs67GpAm4zS7ulN3iKk+MUchdzbIZ8s5VhWQqjCyFBaepojm1wqYr7awgAu/BrrljuIAN06jzNuRvSByKl3omhawcZWowcpks
            /fABXn/DoUA/hNdNPNnGQEjiPTpf/HckK6qHUuYg7upDti+DmLfcXPG92/YzVvYwrFwztxHXEnaG/7hnV1vhhWdB6iBnnjFLWee5
            7uzYW+dbInRU6hx+GPF2EhGPFpCYqgjh8oDxGsZvCiFlksbH1xNV0xQAyJH60iA/Zf1ruVvoVeYHFoe4F86eO8R5Bc8rjtXNIfKU
            o/0wTqh5uy4XflybSQ6DMAxF9zkFB+BSSFkCXZRNb9/yJ5suUSSUmODpPwdKQO6b73LOLDPeWCGo5lw297tx/CyudEepUvScirIh
            7di9q/jPjdWgBuh8FRQbArkVqJUuHjYJ4FHzLU2vIZB8O7tMPjAUIFOA7dhVUjo+0hrli3GGYRzS5CigI83ppKh7HCbgs4CauXbQ
            DRDsRbNGFdb13XexNOh/LcIKWqZ3W+7ej9kL1lkBj83z4ogfTikZTjk4BTH8/M+mX9UdneuiARUk2kOAIF0UMh0hV4Wpqe+8ncYY
            33a/lO8Vdg9JK5KsYWypzi/mkk/Uqjh3/DcJPyEk4zrpnFqy+kDpkOT2ENu4UfbbXXO0hS/bVpLCMAwD73mFHxD8pxR6yEEpFF/y
            +yLNjKSWviCGWJrVj5sae5ZByiHYlNyE4KvMAHyeI9HSt1nvWnBX+ZsS4BdEvr3boV7cLSeKpIpZ6LIaFw9xeyAUA19s0dveSk6F
            VHCNS32pAXaL8QSa4a5eEhIi506kAT6mok5657OKNMCjZ6Z9IsqZQne3ti2mAzaIzL1UPdeGZ0fUT3BH5U+mBJxxkYF/cG6wiqBm
            vJLm1tGfErFTjwiusEyVogZ0jEihOY6CDosxZeeTJm96xaru7+MnNAzjYiXWZG4rx0TBVBYev1fLsfSvfJWxZouQahV9cCTPKm49
            IuHH4jDde22lMckg1S3sw7WVIyEMw8CeV/CATP4UBgoXxAUe3s9oD0mhS5fIhOxqD7wRiNSYtoy3CHbybhuuQluNsHFgg+bO7eS1
            U7Vm7MCnH6uvgH1SBS/vhdIRFI3VQ7yJxsqOPX3zEnb5YFmeSzWPAZNDVGN2x+Sgg5FaKymync1PQXGEFXARx0S3iQGVBROoaUou
            yJgc3E1+U1aZ5y1XU7cQ/2SqeYpm/9n9Y9my028M2oJFPkkrOSlhjN5hvQgb9ncO39RCJDOaw/xIyQ1dIX1jdWbDjVh+mmLx6aE8
            /W+oSFCrE97XGE4Wwjsl4AUtHaYyXIl6/7QqO3LOdfPvBb4v20joZULw1jK6VpvK541BJdQnV1o/sq3ciEEYCDZEU5KjS0RE/0b7
            SbILYBiGe/Y7qNIWB3df+i3PzOSPfdxxU9oUPq6cdxVzMu9/T1a4JXsHXYWhDwNpSj7ehVYlkHYkemZomy4RFaM4Pst/D9oxTB76
            ebG0cx2J8y8ESGfiqoiY3D1yJa89sSz2PD/pjDFIQaOG+p9b4oFdjWRoOLr9fuFGDflZsFwOq1LnIzeJj1nWbpwLu8Sp4qzjZj/I
            atzoxh5ad+oEQn0tOkijAKb7FAWmkqFj62x3PjxWiidnNbJQmhr6ilzUQMG7pTRm6hLVBjqOfA6qO48MfOntWZk2smz76wd0EEvz
            eSfcUD3kXRbCdUw/DsXlSRDkTB+4mL5UmzsOwzAMQ3edpcid0s/gwTXgJAV6+9YiKdlrhxRBEomkH8kXjd9HfgLdtmyiIqxOKLtz
            jXKS3C3NhCc6ch9U5SPHHY4sJv0tw+0O0u2YFrT6H0+bTiP9M2b7rnY5DVcQ2EKBMVSXDobwh4JGkezFus2G4wtCC+KJYCZI8CRd
            QY0WuAqu8hUt9eqBDxAXP7bMsNVu021BQBKc+t/iMPUUqbbK6jE5+NeFqi5mgOyVSZvmgLqreHqcyk/OkAI1GQauQ5cNb4h/k/dF
            7BFUY+0EWvCMd1tnsoWqwmva4hvYyRB9ZDFqV30J80njgGlRFBrbXEMvyHrRG7/9uLZyHAZhINjnFXlA5D8hREFhUkCT3yfeOTyh
            R2DZ7K7nigiQf6zy+45DRwXhE0pDoxN8AmmYEi4CgqhHpnMqkc0kKbtt2fUwmLwzcpefQYuD1FsmHJd1vzakqMmBO4ibPVfldIjY
            7gMF0V+6snbQNU5NkyvcL8WQMNdDPl5nJf9lfwp2WznPvqxhbk0uBzWa7+Q4yzJoPXKdgycMNyg3ZW/3U4NW4aQ7XaXrFRmxYrhp
            HEWbqFUdbxFOAewQwv0VkjWBdEvzxdeU97rwkIACfV7T5ynH7/VUZH5rcYlZiMQ3R/TE8LKZdcuB7pixS8yg84BbInLEUI9h1MC8
            0eJGrfISo35wE47qeVBbkGS/VFxLCgIxDL2Rd3JgYFy0A3bA60vyPkk3bgSxOk3yfklGvJExbIg9Gu6Z4rnkhOH9Xbfb01SGqn6A
            +JfmXd9DgJRyG4MZGBuSCUblSIcWpy0fY7jn14SDSWmZNCneMgCiMTWRr3YlMM6pPQEoKXF/LTGSztMQsMfnFXQipP4VNn26cgoU
            fGhfDgoGSmP4MVh744oMLp7gQZ2qa1gf/SCPM+lkmoUTSpoYm1nos4qe8jvUemLaAD0BceDLinXIIXGcm2MxXgiTliIDg2HtDjxf
            nLWofakLvk0d8UMvaMp8CLoRMcUPu3X75ddiBmT+i/0WHmRPlqxHutBcW9qGNP9W6zPo1fxgmbdFMNnL/1ycyQ3CUAxE71RBARE9
            ceCAlEUiERLdo2+/GTtpIMpmezzLv4sbCny2d/vSa7VTtkiZwyZ0dw3gZbrkLKD4YnHTRsGhZ7Q3M7VJkmWCL6+zC/TzKkPghPtY
            kL7pqM1xJBHJmmelaWvoZFux7veF1imp+iEGkGRH06BLmvZRUvr2TlhNXnUXOufFinngM1F1/E6M9SBqxq072Y2tPLbJbNzQiNK4
            Y10YM3f5nFiBASDgYEDg49mukglmHHABgjcsZfa3TXmgHAZT29vlDkkefd9uzTs3KpO9PpVizlxo+sQ7jh9ZQnEQIggX7jOR001p
            rbaOQqQA4faNyVtOxyqZeW4xNs12YSF+WVYTqUcrkZowb/2puJYcBkEguu8pegDSO5GGxG5kY9t4+9b3mRnWxqhB4H3Johud1bQ+
            NW93GeMlXMhVSSz1dFrM5XxIp60AoNOSSddYEZb8hzbga/1xnMMw0uesmfkBRDqczlOdCvWxwiKx5Y+ZEhkoZrC1zskk5UvyTxQF
            bpSKJBph33TIqJyZcSC/FUEGhaNWJabvmUCol7StiqJuiHuO2jMzwzlcWbEssmbApxuWDQsO731BFSs+HcLFNC6fCwS8O1eVMgzX
            NLM+MDf4czapym737WbYrqpeXxmxMAmZ3N1QyKTioXPo2N/88B1ct+OAbyMLIEIvwphv56uB3jimZEPAX+NBV83eXGq3GUq5HnFT
            5qSQ0h8XV5LDIAwD77wF5U9BbcUlQirp/6t4Fru9cUMiYDxrSsQk1UBCiyqep3f0uMPfA5OoVWDuwjDDHQlD/VDY5vCtlaImmT+i
            18QZgU3w2Ac7ZScPrH3has8xh01s4+/04c2Q0R9apZpcL3FMZPj7lOECVg6j4JK1MAEcKEylFKo6cWfEQMNVUGUOU3EaLOKSceLk
            FIGhPgRD2RICz9cLdFgmGk5BqI61cBQxKejsFBoHMHn2e/S70MSSY57cD6kaNbuXEIUroZG1h0HOCSINiEvfCtwrdZyl8I2X653O
            ip+iPSrBlxkmmtlanbu9zpCCLptY8KTcqBDd0x03FMZ6kkBayVsR044vF9eWwyAMw/45xQ5QcadJdKIf66QVNHH70Th2Cv+AeITE
            ie3AuOk0bnpARamXVOQ5k/DOGwZ6ScsW3bZJavx7DbQQ8OQ8KlIdq1BTNk6DQI2BOFDRPZ9jYruLqv9ivoFrlYTOO+iIT+U7WC8o
            A8EfvyE1G3YcZJnKeZ5zXOfHHQ5KoM4hbomKtjVH8q2Z9fS8OEXg2b1l+PcFOWdy3iFoVNsYNIgmyulmtOmxYIz3ZZpjtTnkMeCF
            DO31Gz5sRtG0+KiQqRJu9mB3S9si5EswyMHMsNMLZdyaoQYmsC7DoLgDrb68cKdQ76sFPYiLJ9Wo83jWhoDwAlvaxK5exJd74X53
            TuL4c3ElOQzCMPCeV/AAPgVqDpFokCj/F7U9M3Z74AhSQuJlFrPNrVZNsacFsOsN31oE97FA/TO0NsAJHh0KEwwjIaVWvouF36B6
            3R7AVaD9+4USe0RkLUqocYcxS5CkMNEd6hiZ/NGA9EWb6/fj3eJHVjj5EuKKpVGmwp/YNPqngNxu9eGZtKIqsYItsivPy+pvEiha
            GUlyW6XIIZzOmJN2dU/IxxGy8peM0IC7sRmbfFQh3OE6QebVUBNt/f2rpnBmMJVkzvfMlDadE8px+otQ80u97Mqwj5oFi53fdgHJ
            wYY/BLiQDFEURIkacIamtLwGMWM2GjKjTVaceSgDFhpkCXCzyXxGHAXynCMHxkPFteUwDMOg/50lyp32+Km07We5v9aAAfcAk7rU
            dQBjfm6miSSt6tb2Fs11H98XlWukhndDn3/NpMUxU7P+3bG/9rbiVwpc0f2ELIqH2UZYMxpSVv/0fFmZB5tzAaS8YZ5Io4rUsMMK
            KjHmLh3IVnhy6h1mDGZ1LJcvpRXhk34+1OssqM3cZucnUq0lPj5qSkm8jGpf8pLCeJRmBFVO0sI++uTJosq/WUS/MIk9qewm8ckX
            40COodPF7c7ZmR3MHA4T0i3fi5iiFu00tu1w2QQh4qfnIEOGzpkdgKpLi7ePtqVl4WZaxuZUiiRhtR0MtJmWfCNFl+s0wrfPTHGv
            Tw10bagyUK7AWEG4iAoWpw6x0VSumWdgiPmTcS0pCMUwcO9ZeimFggXhLezG22vnkwx4AEFe2yTzyQBI1/ai3OG5RMbFwQjBkThJ
            ju0WurhJwuBbyxfVRJLfDL9vKcNh38Clec6SJWhj4OO6TOw9ZoklGE5eyjMii6QBaHS1h/VlcUNN26TLqMQwktKQ/kZN0+AhmXkg
            S9x/bioIyO11nUsbaJh8qB6oyr1D0tIB4QFAUDyH6WCXoqvDpFGirg1N9k5ikFtbzVXmVdmYilbWhPMrPcSVuHqtK4p6uFtZdHmf
            DDyprRujntMa4uxZ4/nNIwW2c/EKBnf/JaXYaSHqkMNwqXltwuSPLx1cJifXxdfcIJ+/6cA0HACIwLJJaAMpAqQ3bemBACPlHPNf
            99hhh3PMNF8uriAHYRiG3fsKHoD2pyJA2gF2oPs/xHbclMPOk7YosR07VNp8BqkFMbD+nT3l7WFwkJHbUiICyGuB6cyJUtgLBr09
            FmiHpcLOvX26/AZhkWaiPQ1lDv1JOEhEAqmjmee3ysM/RUD11Pzx+YB09I8luyQlGJc0s0eJ2cyo9PYmFWq+3SO68+YhVvaAZBSo
            PpQFyq8IWiyzJvazoEYnJRFl3Yq5bJGZIOF30Q3RK/5TbdxyedqRbaH3q6hqIGlHSgrZBZY8HcSfcls1HR6O/ZiE8JrOdcbcvVCd
            0yXdLEoEIu6BQq/U34M1Hvb1c8gI1KYcSGTJpGtDxfR7Jt0inaPD3tsMNRWTY7G7PG0fePmmoJGhds9fLq7khmEYhv09RQbQVkWA
            fFoDTvLI9oVEUWa8QQ5bonjol4RlJgroGGVvlR3agmSBqc9OzMw/Me3AfgUK6mNqZpTpO2rxXTQP8EAyTjLBkPUUzMVjIrbZxv3f
            ATwsF9ZFiUG2pzEkBAow3xVTdStHMdrbVbM6lfUoijTNoHXNCVVpZqhzZEGyFqzsLmBkX29zYG2FCnLRRQQfL/DVaEw7oJTii94g
            4mZhxsFyr+t9UdHD5P6eTo3VJ+yI/sJ4eD8NXezX+yCFutGKDTsurb/Ng2ugIXKxG9cjpd5uFZQKM+hnmZIP2VCBrNue4V+pyla6
            vWxpqcakolTujPCTUqdQ+X6EY3KwY0B9KoNh6v1zdW05CAJB7J+zbLwTJibygx+QEG9vdtpOKycwLOvYTh9u3XlGWtIUB6y2EC1S
            A/pDAWjlYLxuyKMkVhc901xt39vONF/ykvEYSRHtSIVRd6RX7KSaw910qYeDR1onEzeLWwYT7h6sNa2m6+PJLLUaZNAPRAfxa1/U
            sIZvz55PY/UNWtDNgGWzxZ89h9uM2cmifRuIA0WWlu1G122ApX+8v1XvQsebRqDD9VAhDSfUV1C9zRmHbAhU0yguzd/FguvhyVVv
            B9RQUKzJh97IEmv3sR7+NEKaTAMbYj1ugQjIW3tRSEkOmrRdfMT1s5iNX+HVTxH6auA5rnzQnW3Y3i2REEqT7znesRit5TzcKCTG
            m+/E0fWj6spxGIZh2N63GP5VxyBDkKG/LyQeopdOSZMWtiRSFB227whWv816d7xDsesrkfclroMZxDJmXomn6yP4LVU9Y+QQE39j
            jXnAgJvb5gY7/hnkqGGGwEU7Fv4B8/q2OBfimqkW6q4L53kGlKImLIOF9C5VZy/G+q+ZTZBfqIcX460aou4EmhQmgV9mQetoCPjA
            FdJYivaLaFZ6SDDH9PaK1YTqPc0eX4nLd9J6Q4n0Iy2T0TS8DTSj3YKJ68hI0udruqeHoGmfRibV5UlaAgCnERB03mO7k6Wf7WtA
            snVLqMnKb37BqCZYg9uaHFq1xvAqtCnsJaO7hlAm6d9v/ZwLzqf2dPn/uPXluIHwnARCPc82GxCiFQWFXztcOzb5++fqDHYYhGEY
            et+3IP5pSEj0sHGAHfb3U53nNN0NISFES1rHTlxAs0sjISyT8IGmhnpaKjAeW2v/uemLzcL47Rtk43/1N4YHxr9A/nhRVmRqQMry
            EfoYAlepjy5HdPhklyHPVdcEo7PDE6yg03KEOtdhBPO9T4+2KzWKuLRcrLBrdDvLhvOYUuEzPIrdKL9DfgRNm6Bdd92GcSOtKUWT
            zHRq+LY0X1gFfkmVOj9UY8kU5Uy+YXsoPpRkNj40newHTCfVhflMT5rPDWUdi7t3kGAU1xKe2ae4lw5ZsWQplrJ1uEYjD2l4Q+Zd
            GKTYe+CRQo6bsDQsAGazrM3q7VNwxyUK2BgSqd7Zow1p4D9P9AKUexWHxahl+VF1xjgIAzEQ7O8VvIBHRQKJIiAREMrvCevd8VGm
            THz22euxY3txOyHypSVya2J/AqxU82tkjUleFFmGv3QsWKkpNyWCEZh6bqcE4+O8DRaHH4+3LR70yBo59qo8o+Q0ljTMVrE/3tjV
            rxYCSbi7Y0P4T6xteFksmnODMGmqv85zpyYB88IK50pA4q7/beOtHR1YJidbSb5ru1EyUhSfxWmeA13ExcgdKdoI3tIHKdpjENY7
            41mNWJW2v08fw/oNM5pVTNQdW1eIYX+R1+l3nGhIGMrJio16aTv81X8sA0u14d6V2Gd69aO2pYINC72lGq1JyhuLiMXXfR4CXNz2
            CcDfIkwKGsEaowXDV74WEs1kvc5W9y9ZV47DMAzDdr+lyKMEuGgWe4jR9xeWSEpG9yBD4kOkSArLeFyVMjRCfoRoz3gSsfI5iLEc
            UYbhefcjxRlQx6vau6PKB9e3SDAXdQIDmXyfXbjR5luHmVSVanM5b5JCNUAPRgXhAg35kWZ8lTYwprSpJoGBJds/TiQHFEJDoXIk
            1Z7x7VwUsvxaz2Qxh3BpfWClgzae2JB0bww5gLgFXFWx34VstK5cY34RROplCCi9FS22hP8Z9eIoTiO3slcq/S9RbXtdHB+ylerJ
            AqzQwWS4rak6Wx9ETEqMfSg8fKWA0/c2U/TbDnFqzuv5IxMXiXFOWYzFd+YVZPsGRyFRVAtZ1ogZIQJJm78GJDV6iZQf9cwfWVeQ
            wzAIw+55C+JPpd20y4S09dLfTyS2A90TaIE4tmOc63VuqSR7bcL+EE8mvqyy0a8BNce2QK1m/mTFttxv41XKm/XvxL2HDLr24ItG
            2xnVXQ0/sYoxi2YU4XZBCaGdKiApkylgQlFmzHZMEWgwOlv23XG801CwZ0Hpz6EgS+M+2WMARAiUxzX4xWnicXN6lwDs8+9yJjaA
            gYtYL8eFjGVcIEfCV7vUI3E8EZQor9LBqvPWpgOVQ0gmqUxqF39ZCOs07ZuI6uLhPJpQC0ElntiYO9lYy4K8cYCKilA2/00e1OPu
            zlo0lj6nGw7ytYcRaBmc1ES+18HJ+5s2E9o93kTZWH1YI14/qq4di0EYhu09BSfonUK7MLQdyMLt+6KfzcIaCHFiyZJje3C5S6JG
            IAU7fzlsKzNyOTgJTbDDYX99EEWqRfI59BoaN3CcHZHEcIncpFJ3eeaK5KK/0RLrMba6W8h2Bx8Qaru6leRVUGsniHgovu83sDG7
            CmvmfH6/GkyOwJrZNp+p3XoBsnUe9uphN/eq7R+yY53yBL3itsFrl3xjGLYWDpzB4Aw/sc5UloegXuPx0AGHOOEqHX6NRg1hfNfj
            VvUaCIZzQLqSgT2+Boya0xLljKambkpG34LwFk+tVIBrRCCEWdRpewIKovzU1qoDs+gOQ5+rXf7aFFOh9A9sXRaBPE1Tg4UAlZoO
            CFMkun7an6tzuYEQhoHo3cXQEwek7CkSrET7q3g+drYChAL+jMcvvgrY9KSj8iHYDP/jAiXg8ZHXLMy+7+FxtAqpHA+YI+TboT9F
            QxgyiOXLY0wcSBrdV2xioaXfZk9uiMK246w9e5r7GYoeTZK0bS3dlvGEiyY8iC7nZU++oZ0Y5ihwBoLIuemTu4iZz2v8wqqqUhiV
            s8D8Mqy6zDuGSWqgXkzlestQF4whry/7UqLY2iaiJ1fEJmBGjTfcsLMvJ12HTAm16LydLTvVVWOc9saGZQVoOBroQJcSeeaR/+St
            na+UFIS7QrEgeQocXNVWqFrTNdjvK6L+jUR520yKw/aMhSNAeQnZcVYR0xMEPsgmDTLimuWxvlT9Dd8fV9eWwyAMw/57Cg4wcaf+
            TOID+ABN2u1H/UjSXaCCqim245hUGWdtamKsMjvT+uroNanwZ9IaUY60ve7QMfHaBX81heGnBSF9dmzVehSQqpQUN3cp3CDqdFJo
            SvkF9XVzDmBsSukfDdS248d08N4fxjjrYoun1Cwu7u/tA3vmvgudtIPO5cATSsHSjgisGDdWlGmkJLTwgo9yndOHg3pq4DN96+b4
            qvwvGx3asTiGttfQMjBOuifw+KkgDP0AzbWUreTSEpEWUv8rnQAc3K/ywGUW97kOe+Y3dYMPZ6Kdb9/5kuujt0yfkGcGQTi4Rc0c
            AiYSCIkN1Q4KJEJqYmJycSuFqV+ZkCUq5cbbajwRjZX4A82sPm/Hj6sryWEQhoFf6QOi/ClIReJQKiEu/X2TWeyEG+IAApzgGY/H
            KWCLZQq9tEm1O23nKCZrMVnIEC0ACs6sVW3k7JXgREyLO3QkFdL+hgpbRFVyHaT/wr2pCPI2e/rqCbyaO96SaT3/qBZpynxq5aFw
            uwcYZ6XgjInzeImIxieanJsnviL7JhHnS7s2LjCN4GpOMcrsgr+ZAxupAqt8ZrGJGybrdqq33qc52xRCM55S1PC5YjU7Xa4il9cE
            F6hFeavzs1CMWURe1GTNiqp4qP4ND7cS9ePM/QStDYQ3u4PW2GP3lKjTCnJQRapoFstvatB5OdUBcSG4ywLHstMrsAfvv1s99WNb
            Ggb0WnWmxJLV9SLEYrDL56Qk70/VteUwCMOw/54F9VBs/S0SQ0jcfmr8SLgAgi1Nbcd1Oa3l6pN2B1sfNu4A9WTX4Rd6bzu5bTsy
            doYHJY82BVU5JYq78aQz+ZBxeMPO4J/cOi/MTLUuF6up1y5GSdLIRmqG1bTWCmcsepKI6JXQpCPCCBbE8c7wjzWDz/G35+EqzZae
            XsxLYqUziF/N4rfT8ou7he8hLL/D3u0wEB86UOTPBllbKkG0lQIk2ESCvRiq7k9FFtlnYQpOS0MWHP/q9YIsy8WWoaayZ4gS/VK0
            Lzc8wEXT4Db9eBSZvY/YpAsYa2bL438cLi4EWUjyPFpBvMQEgus+sYSyZ3yapBOJkCXkix6SEvjedCGF1JsBqtQdSPnn6gpyEIZh
            2J23IP60Fg6VNnYAaervUR3bibjtsgm2pElsJ8H5VXR/Znq1p847Wz+eKFA6g3lirCx7vU+ag9+90FEpjkseFETMmUFXvXtXwcgs
            5SNSHjBjm8LXLFzBjyHrH/tmz4KMJkbEUiI37CFBZENGtvD2tKEcPP8HqyPKhedJORuJLeaai9m9SwyUzYtI9cElDQ4+YAWB5Wn7
            rrFMgWclxdOrxlWl0oCoTQUb7n6L6mB5T25LiEt7pcBPcqGc9NbmjT231ckePEPwp0Pz/aQ8z8feKuKG8Cx1cLuGZ6YV+W7JZL+F
            I5b+54BT0mdg9xqCzLrdUmRE2q1kxvGIXiKiJSeyweYrfcaMgWFG9pU2f2ydOw6EMAxEe87CpcKKgooiEedf7XiebaTtKSKheOz5
            OMnJjkW+aqzUdw1ym5OtqVexc+WlpK0SLS++yPUSJlM137O4NDFLPpOA0AxwTRWiEOjbOhdyGkxqpPtIyUVtV5O6DXIQ6TNwWXtM
            DmxWaIuCM+ipvWrPSiz69zH/zbmWWW8wGbkFGS0YTXWquix3W7sc+pb5m3ja4/EUfM028uwIgty9wgdsZEEftfCJidpPmf4758PG
            l4qqpx7kGdkwEMq/WyOx8MLol6yv8lB2j2zbkyL1cwH683va9xRdhaknmdrJ8uPkSbGjNjYxqs7CeP2myh/EEHbiY8lnkzi1V8aT
            6L6wXHQ3w+84Lka/W/Hl6spxGIZh2N5X+AFG/mR06hB0CdDvtyZFiumeIZdpkZRM0ngMNpUwsB96jvrxOpHZRXFy6Lsbj1Gs2MZ/
            rxUPb8EYZTmuYNyBlR/68Q4rXNd/D0YzMw5ijSpDfHJInwjYB1a3C5L4clNc8TGBjA8fluutDeI89/ssTN0Uf+cUAWfo5ZcLKEPI
            uSmz13mDyKfuncqi6KAzG1WWSjn0tKLbu9RDf1jIRHTgSxDW/oinPsIuLKSlaXKNMocPvSz49G+t7ih11W6p5FNlUZTFWGhcFKFd
            qsB4kjBVVD2GR9qCvsgVFHuslJOKbtvOv6pj4OnlMGR5nTxBWWJdIGfKZYvZ3/vXnuCRe5+KwimHF5ZTGdmiInDApAQv/JJ1BjsI
            wzAMve8r+ICq/wRjBw5jEi3/D3XsuIMrmrQxSOu+xAlXw5acpxAaQau65wAEFQVJt4vAJ/6mG7RDIsN9iBWA8xtORs60nYC51Or4
            /PGbe+EAOlLObDbJwqERBYxDINy3tn6r7mtXkQGJ7B2x4PKBVcWNWObyGeUpPjx2BiGFCoMA3KwmVkqFrT1MxMcXyjpYm0QM4mrQ
            qaF4viFo6rjHc+4vN08+7UIgUlUzGoHP4iwT910n0wYozCK+rrzcNKyAqrqFEY72ndtGelJFvy9pgy1ppJl2n4E/2b134W8VLn/y
            ve0pXDMdAjX2KQ4RuKoE/1KlE6TStIZ2JoHwf9b4W8+y+EM9Rz0nbD5cnTEOwlAMQ/eeggNUvVMlli4wfKSK20O/n52oAzOU9Ocn
            tuMUQ8+pQgkoz4W1es/jEz6KSNQtEhijdh2V8cAIF6qSiB/fzTFUZFizTZheqO48shil/2kSccl+j0zvbGYJkSe6sdXhcLPOd4WZ
            aRl4xoRCz/ePnI2A4Xz0kjrLdYg68gastYLiWxh3YRtDeZRsJ8GT1ud5TNs03jH/kv4uR1ptmSkGRJmh4oWZAzmTZtO9UdsmInOq
            MBn+N0bd7bC2UCXqgREeCGPdcZGf/a9vaiUF+QdKv7GXLusYfmjOEfCxKoOVhnNpyxmFOjyNbV5RZ1HFyc7qmS16KZBs5c7z/1mo
            4GgxSxNr8ukt354gdan5bpYTDxwf0Pn8uLpiHAaBGLbfK3gAnyrqUIaygIT6+yp27ITbWCpUdM4ltpMwWxjbRO4/Nm1lv+MIq8fp
            dXFogC62IyCX2c+5aJ2AQt+tAF31OxM2yjHie8BH0xqvJYtzySRpVY4Cft8wHNbZA9llB29rdeB47I/47DhFCMDSJl5yFraSn1M7
            DSWt3LYx4e5mWem29Bq91/ZVcrUbSwNyDLb2+moE0gvgDtihMlYLYGTElxcAPQocsfI6W6TZqQLuJSDZRpVzIjLc4PC0yToclpNF
            b9U/AFKbQbNmjoTHIv/rDSIALq65AeOndAoQH1/dSgdhIueqb/Ltl+GByPXU0ZnXbzqusr5sP8w2PTfb6C/hwktGo+ZA4mfG91Dl
            Y9HL0Yc440aP/xJRFrGiLI1HnJsDSf2QygzsKsRdNknQ2IYefQBJJ9Al/NCJZGjVidT4ge9qg+5og6ycgS20hjgxMw+R/hCdcFgU
            pkIKTK5iANzlXtA=
            """),
        ZlibVector(name: "text 12000 with sync and full flushes", kind: .text, seed: 16, count: 12000, zlibBase64: """
            eJxUUlmu2zAM/NcpeABDd5JjpRYaSaglv8A9fWeGfkuBOF5Ecjam18vG+dit9YjLBm57+siWX+VvWvPcbexZV3+GNedmqbUcrczw
            TsPeBRX1HJMlbN3s0c/X/R+tloGifGSrx7iP1nOG0qKtubRf3pxrTfbE5CsAqYLQYnMv7bf15hh/zjKzicDo/JraZrOjKjWQsWc/
            XEjBEZvTtDIs3Y2qxmhqi5LA5h0Ve6nm6uoVhpCpYkvH43JeggBplB2E8iNaoonorxcxeUzcRWjAd7n1cEf9zenAOnjTYYveoyR/
            tqUZ7eonaW4g5XUqWDPlySehsWF8dvIDXdDHVDbvuzkwBjnt71TIvL5TVkaujHqjE1sk770XYLjZ0/+oeNp62dsjvbg84IYHcvie
            KwdhGv2D6oXRKcUygieMLeJuyGWicT0gH4lolAO0rogD71IseqpjiB/5uEiQKIiRVQmbLXBpBy8Xh6nr9SWkyWQ55bu6uLvx9gmj
            sW1uOATKQV9buieX2S945CzHuRQeGYFBI/7YfVbDAfz2HPwTGGkfNWR0efC/h1AYtGlD1oX33Rc9mZ8xfj0tmsGcB3n/AwAA//8A
            AAD//2yY3W7bUAyD7/0UewDD7+SsBeqLJEDsrcjbT/xIHbvAgHVpE58fUSQlpe4tnN+hy84tQaTAAtnIoXK4RXLWSmheS522o1MO
            DKGzHq9NFceUV2MwQB/pEGgz+dRxD7R8PFGPgSpnGaptjqA+Ca2egambDaB2gFS3T+BXbNalMivpKHBdnywD78GJ9UtLDJkJLEd0
            Yqk7ErNQXDvxWtFUMDFMwrsvacANkUJd6rQJuXv5N9ivh3FVbN6E/Wr1bDAhg7iqRQsrIknT6vE8bQlYfeLdvsAWlSltasCWHIP6
            Yg/ap+46Al6sN/EE1xawhP74iGXW3rMp2AkRoF9lEySF3+qTOVfSe2Ipx4lYyKE2mNitwqtkrJwBWVZI+lNV+MbpYbV+MqfWGBoC
            c3DnqWAD1Wt9Xf6noCYDqfxuj3E81sSWPq8OKN3FbOvq2n26vQmblMvUCUSCaSmTMOqImFhMtsi1YG0TKJwmBzwLk2EDWjVxdRsS
            jm52KHbTpRYUo5Dqzr2kzLcpgq+g2ti+Dmlqrl25JDLFToLxQe0r3ehAPZptjKDOAFTFY8uQslwBQ0mdY8/oWsZb9t9XkX+rK68y
            DR0oP7NFGFlS2Wt88yspaQtES+cXr9Hq1WF0Rav73oZLT2fRXKnx8yj27l/YIYo+TjcMz1esRe/as55ubYScUDAV+efaSHppMazs
            4H0TpOaUgUoHUY/PqVlg76Nv71xIJFM4fGivdBBhgyjS/ZG4JI35r+449lGtL1GpaYqLzW12TtCcMOIXQtj7fXVat931cVrjifV6
            dcpfJqIwDiXsvGoVnq+0V6PjU1bKCPykC8LXMAcQaB5wel28TvDTQm3CItAjjNV9avdU7hVjKVj2+L4M7ykEjYWWsFb3iBU0e8DD
            Jdsu2zG8bCm1nfOhvY2ZLg3Y9DJQ5f5ur3aZu3s3MajiSGDKaJ1aCoQ9/xFj9zX2Fn7V3XEJN6pEjuFe0DrSr5uP2u178NS0eo7y
            sYeelPlnLNMKKwl10MdQBZhZGlqtNOjpuS0a20PK3ZVKCeGgqOVr9jxgRBalx/bjfXl+xlarA/BqFfxCmqZGnQKXJP6KhbBSQf+O
            xFizAZef9LQ6q1S4HfNp9bZN+sfi69Rjx3qdUjgOpKfoRWmNeP8cp10SfbFwa91LYvW3XgDNDUodotuxNGMPaU4ftNsr7zjN0U3A
            GHRsmeWMeHN2DYGWUa0u/f/p/kTjUld721S+U3rn61Cw7q7w9CmjGT/k8sqG6FjKZuPFDL0sdll7pBnWf4q0JeHqnK4yMLgf832q
            NjpCTzV3Wbse8OxB2U1dKsVSD4vXXMEGb+/NEAEyN5PuvOGw/70pxJj02k+QxhjgAu6a7JzWcfeuz3WMPmi+ddLbVl9pthDtHu0J
            CJHfw8Mb3VKWg3E94mmyNr+0eKMr8sm3dxCayRbjjSb5o5LveR1CyrrdhhGtzskY65mf47z153h15T0Hlw3DmC9joMf/l+mnS3kA
            62mdcuwcHW716SiXbmtzBbwCAElxMp7+6sNd53oYe383oKhbLc0XDRjnyCQsL+VyuTyle5OXsMW+hQWCc2WQCXJ4I+CMOTSV25Cn
            bNrs5rOV7YFUgci6dn9l8fgMbmouVVYmTsyUlMnYWZdGtlYpHsuHlWAScpWpQK9DMoAudpvHpeUfHea5RsOye0MlxWYs6xwNRO3m
            6sN8zltOolVJB2TKUSF0VTiuyrOLgW6dMxBU/+c5PBVcXzVpn4yW1GzPAxYlHRJOLEgBiToqbIfkzLJU8G0/y59nSVSVSZavKFxC
            0zbv9CxbSsb2yHjdnTqJa/0rHzZBgJLSo1UPvvnOTExPmsSz36eQ00yKCXyh8Hxdh/aK4B8AAAD//1xXW5KkOAz89yk4gMN3clVR
            i2MbHItdU8GefpWZMtD7MT3dYEupVOpBn6fHHKcl/5mntbQ2fed9np718/OaSrd3evXO23bw1zTl7TV9c5vqm6/Lyufhu5TnMs0/
            5d/8mPvCY3aqtNuzlos9/PmZ3nW3A5tddwszHy/5dTu91Wk9zEfZ/ppkvdm5fz6lmzcgDOseaOVx+IF5XTOMMQrB/TPvMOLR9GHB
            7T4+fUS7Teve7EDZ/g5bTTyKOJd5n9a6625fcp/WT+tT+zggAMf/BgIxlx6dLrMdJwK1ULr+ROBLabLzmOcNj43T7qjIUOHhYDbp
            92LEMR+gxowIuNBUWYPVA399S18sDDikeXe6kYpNdBl/YLjymnEfyBXygduRfNQtkEwED69dQW7Bbp0sB/BkxuzAK+9PAsgRrkAM
            dBV6HazM4jiSMOMOuIOhIxH37PdARYJ/5tVMbDUAlFmNzI2yXlq8XQTFRPY4olzxz0ROAZ6kLvbgqB/QiGe41GqkAoGZqtdl8grq
            AgF0fwxY4CsC13dIiBQzI6omw6gr0sklY4aBZK/QkZ2hHSCCJHEev1MmSAbl+VsM8jluUGFAuin3TPi6M5v2n9SlQ9CQxRxRnjil
            KBjxzboqHNycKR2FY168Icx7oAPEwB8ArncrXiPbftSOMYsIXjRcCfyV9QhBWhRsIBEgcJdezaaiBitKMX6FU5i1e/WdyAATDp2D
            itVKQEFIRyepityMMFmGFaDzKyFYPsJ52gHN5OwxOhISaMCSzJl+vOzTqXlBXEFFeLDMVEO8AKGksyIz5QQ9RDdPW1F2LgbHPz7O
            PRhOZBCgiBwppdbQows7hhXXRW91cVLilrzSZA7KEkPyzkxHCotpNT+XESpFWjjdWRMmt7kleVB8t3HQyBh5YtSEx3K04xR/sfpX
            S0P/ojDoXCn/Zm/OQ19kmK+E2YQCD2jdyJZOoa7tBT0KssJkpyuNrQOWNTiMCp7UXSLkjz5GSqvBEUrs6g9syhdvQyBVAmW6yVlp
            6v+WJ6TbZ4CPHDYEWH1eMWkIoZl6n/TBeZ+SjOQ5qmKl+eBKhBeOHbhKXjKq/yZu9ddpLWmasZz36+iDhQyOwirughpIp4vSbhIT
            v6AxEnIkfgdG4WmG1n32N/XcOKxQvGCDN2BLRhk9C/dNwE24x+gsm5pGtn9U3tng+I8HjfjRANUXOQGKV6heKefUCrIKCZ2DQD8w
            FzU24cZgSaNSM/HTBihCXRla5kY6YFMfu4N6JrHGIaXswyO3U5yZ9XroKIcLkHFqkKahlMQ96fBA9JSF5gPOpGWJDTT/PKcGrcpV
            1xgZU96zYx5NDWk0zXnMBHZI2UEgefLpL2A+kROskrfRXr2oyCD6tj9g+IOQqIwU7B1sCTAciMYQemtRlYtFahHYrp1M+S/9Gtxa
            lyKejQ0nXU3jku7FCKpAi+Mx9t0Ev3FM9HgvH4SXfFd0ZUJJAcXK9jgKhcGd/kyzqpZwW7qxM8GyYPRrU8b2wmhvmy6gUbGjrfEk
            8pC4WWMg4IlvQbiYuKBCjlfc/18wjXuatxCkCzwE46Nr1E1herH6EDlGg5mpYvUNbsgq+4p6v5ZtjtwjsCtU309PfdtluL5NrrcK
            Vtebb6jQlgHCMqrNa9eYMbKxvsKPXQRtSWBNCWSW8XmXxBZMEWIE4xck+8bJwYIPt/LwbwomOhHX1SZcEr6UXyfPGRlcoJsko1Xl
            e63yecxcQvFliJOY+x+A++asS00j4sHuZtH6eISpc8k555v6Nrj3xuODaNOnSem/Rhi+37xv2T1+R+CSCvK2It9a+FK4AdyXOt/C
            uVXhehwL1TKPBYiUHfHcuxCudNBd2ewxh74Jo8Kh2kyjDNB31XyvpTFU4CyIAWBWz9sCPiIQNHtJ5kFrNk4qnLO7jU2K9yW2t6ak
            xrIRmG6fGQFH2JC5mJ2D6/Z9wvzYSwVGmeuzdSc+X/r02fMfAAAA//9tWVtuIyEQ/OcUPsBo7oQ3E2U+ApKZVeTbL/VowM5KSZQ4
            eIB+VFeV++u6K5t+INquAzY348JJsvBRnMeVyrXYJwbWIVZwP6KrjRI9F2/Ewvu6hq8aN/8zZK2VOPOKfq/iENg9QcONkKfca44P
            lbBn0Sh3JeZfCCs8IWtb3IjFYgZlYviAPD4xFrdocZwL+bwfwQVdkgg/s/fQWF4GFVK2BQnhdQbN1EwNHlCLuByVa5ayI/wWJHpT
            BE3DeH08Im7Lsw8Z7e75GGiFvjWFSNhLJPHFkcEyU25C/OAMIM1BU/A+LULl2nO4zcJHG0hzVtxahchxH1oVLYG6PUPlovP7db4f
            E4F6Xi3CcBLQrgLhTCYw4U5/u+OREgaMP+/PkAhMtzrvsi5CtI7HDI8WHuIwvDEZCILToTdbCYGm8Le24LvX45gYECe/QmeFqmBw
            8U4kkiCO3RnLZAtLjglPslCWQAjBWjVxCbi66qqTwVrrnFr9Bk10ajczz22AjQJRrA6ewi0N2kFx3IQA+6pmeffYbGmgrKy83pU2
            L4vJEqPRaADWVxR8SyjPE8Ca6Puhe6M1VPGLzNvWuXBVlZO7j06TDgit3QcPbDaaSoZq2myV2Ze5NLxIor9i+/2QNbWYFcaEMGQQ
            XPhfZGxfB+kmirV2sJhYuS/lKmuCsSXZwmu4rGlWCTcRoYHA4kssUEuJBEMpmlsh62uTTmwHhbKqBkXSkMTzR9XgqZs5Icr8gHgN
            RyCbf7VrGm+LQN5MczQzZjnUqV5Efp29HmbSmi5p+xervi/h3jvxkxxBkcV/Wnh7xIeYXlSY7HdCpDl+wKBZMoBfBXEWd6a7py0D
            3hMupHOyuSxN1aYRIKhHuAeWiS/UOThzYH9u5kbnNWH1LqhczAVOqy+LjFeGtyh98ekPYSicpkDtyXrgEarAn9EInEZnm537w0Ol
            UHXF527mI6jYftxkGq/QS2KEDbDfbNsZ6HfCleufsgPfS0/RMggCI0/Y/pmOYYwP0UwLAYv4iF0QCmZhz4RY2gZjeVVRy5gqamXP
            0xdSuEcnyEtja4auBk8Nc2SaMGcT1WXleIDG1MY37FsW0Wa4JKoz9GPGDREmIfnXLqSMtxid7b/SSB90mGXZH3PaEcB+3YEnuJLP
            z88usKGQX1ucEjeT2OLyOCM5Wsh3Y9Tk2lghbBBhx+aTYFqP3sST5Tw8BVh60CV2ZL8UJqnNaUKlBqR0kFIrtOcs4GcZN03nERHp
            mG1420Odyc+6H0kcAML1lFKKDyzgEFyk4APDRKWVpdNdp/wgl+od2vNJDUAMY0drXl+2p62uZlvjzCVKI4iucdpS0UWar19DUhSn
            Jc9Gt1AgsPmB4U5wynd85n8D2kpF
            """),
        ZlibVector(name: "far repeats 200000 level 9 (distances to 32 KiB)", kind: .far, seed: 17, count: 200000, zlibBase64: """
            eNrt3Ps3FobjwPFRDylUJhKVlZSEhZJVHyHNJfFRnlIxt9IpNLZGN5dCHyQ1NGLlIYVDJDoq6dDTRUbOU6bokcsokxqt3ML3X9gP
            33P22ff7fv0hrxuP7Aq82r79t8UcI0HLLNWZK+d+zN3qLz0ldl136tGLbdlqZ+R7bGXkjPfZ/9gnbewc9jRTqWxYX1ysdSnox5wA
            +RZz56KjGip9aVYfTnXOHJO9/OVkhwltvZX5g2u7DxfXW3squN9NlS657/bs2SyrJt9zE1737VMqnd1MEvsbVp+pMZ4wtJtv/iT3
            QuVawU/+x25aHHno2vFBX61uY7aJVK0lVij43U4nbUGrsfwj5/LcxQ71Y9o3zXtX6eS0PfjF9PzoHMUHj4W/2D4rq41W/6arRL/I
            Lupd5s8ezYWX1Qw83zakCSd2yNVNTjwXq6c6/WXB6qj1aS8DbsU92nSmTrK7+V8Vud7nzHSeZu/R3Hzdfpne3lez6gf2VVTUP+mc
            8eLuTtn1ZtlTTurVzt9tGyrU7ZJfsKTXEgAAAAAAAAAAAAAAAP83eHdc96sv7xO7GE1Idi6SfhLVBIWVtUxYrT9kkV7od7SwMqin
            f7NclHG3omXYoi8vzto53lDrZduYea1FdUuRrNJV4zWteQdjTU/H3Jk67HNFRhxb5bRry/HhkU/BusqHhCWphxtmP4x7EiS9Ghjo
            tu+9aaTc2dqP856/6bBTzQv5zHJT08Zb8m5bPyQtPVE8FJB1c7yqzqd5PC7x/D33mfcqlLMyH08ZNIu02D9Us1n7+8CuvCTFgQOZ
            iQmFCUYGKgPLyhxvFy0RldrPOdk7Jnx6I8v61b68SL1SV8cUfRvrUmFaQuliV41JXupzK2TDZvj0bwvI1NgRGnC00SR5f97ubumf
            9RHz4yN2fS6zZsqD/PdiFUNxhs4krUbN/FUheaq+dr6rdioKRCNKooJMm2nVhhlm7VYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
            AAAAAAAAAAAAAAAAAAAAAPz/ULEiP/BA3beloRHBWisKpOZaiYl9Xkm6Ff5vLbL9l7xykZQuzn2uff+HjLorLa42xtWZlqleFlXV
            0gW92ertxjU5d1wslH1/lfNRCFEe3xvdNlfn2g3xmSSHW2a5yzSStxa0dnscUWyTbztv7R8hefjOsm/28jmCJA+7jE3F1T0yJr/p
            Kl0+ESPWFBzU9emKGirpEASvGBtTzZlmFS4XGP3zN+0ZMbqjIsMqJ8WDyWVKcSpxmnu3ONT4HW+qdcwqvurZqyg7VfKVs3uYUVmj
            Z87H4PYLB7ybLzS5qTwJbyr1W5tu5xbaEzXYoHZxzGTe6yrR0vRR2dSB8NsuU17rLSzTTAoNikx3VKgSDv2heURo0B3U6rwgrSbt
            mXm/2tmaSp3pM4qWbf/u8UqD+OFH1x9G9O4esQYAAAAAAAAAAMA/hHfHdb/68j6xi9GEZOci6SdRTVBYWcuE1fpDFumFfkcLK4N6
            +jfLRRl3K1qGLfry4qyd4w21XraNmddaVLcUySpdNV7Tmncw1vR0zJ2pwz5XZMSxVU67thwfHvkUrKt8SFiSerhh9sO4J0HSq4GB
            bvvem0bKna39OO/5mw471byQzyw3NW28Je+29UPS0hPFQwFZN8er6nyax+MSz99zn3mvQjkr8/GUQbNIi/1DNZu1vw/syktSHDiQ
            mZhQmGBkoDKwrMzxdtESUan9nJO9Y8KnN7KsX+3Li9QrdXVM0bexLhWmJZQudtWY5KU+t0I2bIZP/7aATI0doQFHG02S9+ft7pb+
            WR8xPz5i1+cya6Y8yH8vVjEUZ+hM0mrUzF8Vkqfqa+e7aqeiQDSiJCrItJlWbZhh1r4eAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
            AAAAAAAAAAAAAAAAAAAAAAAAAAAAwH+XihX5gQfqvi0NjQjWWlEgNddKTOzzStKt8H9rke2/5JWLpHRx7nPt+z9k1F1pcbUxrs60
            TPWyqKqWLujNVm83rsm542Kh7PurnI9CiPL43ui2uTrXbojPJDncMstdppG8taC12+OIYpt823lr/wjJw3eWfbOXzxEkedhlbCqu
            7pEx+U1X6fKJGLGm4KCuT1fUUEmHIHjF2JhqzjSrcLnA6J+/ac+I0R0VGVY5KR5MLlOKU4nT3LvFocbveFOtY1bxVc9eRdmpkq+c
            3cOMyho9cz4Gt1844N18oclN5Ul4U6nf2nQ7t9CeqMEGtYtjJvNeV4mWpo/Kpg6E33aZ8lpvYZlmUmhQZLqjQpVw6A/NI0KD7qBW
            5wVpNWnPzPvVztZU6kyfUbRs+3ePVxrEDz+6/jCid/eIDQAAAAAAAAAAAAAAAAAAAADgL/HuuO5XX94ndjGakOxcJP0kqgkKK2uZ
            sFp/yCK90O9oYWVQT/9muSjjbkXLsEVfXpy1c7yh1su2MfNai+qWIlmlq8ZrWvMOxpqejrkzddjniow4tspp15bjwyOfgnWVDwlL
            Ug83zH4Y9yRIejUw0G3fe9NIubO1H+c9f9Nhp5oX8pnlpqaNt+Tdtn5IWnqieCgg6+Z4VZ1P83hc4vl77jPvVShnZT6eMmgWabF/
            qGaz9veBXXlJigMHMhMTChOMDFQGlpU53i5aIiq1n3Oyd0z49EaW9at9eZF6pa6OKfo21qXCtITSxa4ak7zU51bIhs3w6d8WkKmx
            IzTgaKNJ8v683d3SP+sj5sdH7PpcZs2UB/nvxSqG4gydSVqNmvmrQvJUfe18V+1UFIhGlEQFmTbTqg0zzNo3AAAAAAAAAAAAAAAA
            AAAAAAAA/G20JCEbq0fcP1jdTzgcVJZwfGF4dGfIsXXxKa1JivqVRlGmd+9siK45631XVJSW+rLExyFmwGm+4aGB6tj8nLnxvan3
            pQquGV9c6lweFfTGsqPyuX522416I/dVf/bq+Gwqb91e/naoP8P33ekNscKU4+IUQ93+05JLkROrT4k2KO0XeetHl+fO0jBotzfr
            ylI/5WS+btqQh/BTR3Py2/nqMQlWNinm1YPbpgdPfar9k4rgmv/2IXmrN/dmRHVO2EqcWhdL7nr4Xs15/G7H5/GNPeaN0ZP1Tvwe
            Grf8nG+3zKt7I6nx2qPHxJI/ugQVgh/+Y7BHYWu3pqVKfOUOky1fp4S/qDyaUahb3JQx+6SgqKvSxGOzaW3psz2j3sOiwZXnbmvO
            cw8tubPj9q3k2Bg3494vyt8fOfg1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB/GcPPXx9+bAEAwP+CG4/sCrzavv23xRwjQcss
            1Zkr537M3eovPSV2XXfq0Ytt2Wpn5HtsZeSM99n/2Cdt7Bz2NFOpbFhfXKx1KejHnAD5FnPnoqMaKn1pVh9Odc4ck7385WSHCW29
            lfmDa7sPF9dbeyq4302VLrnv9uzZLKsm33MTXvftUyqd3UwS+xtWn6kxnjC0m2/+JPdC5VrBT/7Hbloceeja8UFfrW5jtolUrSVW
            KPjdTidtQaux/CPn8tzFDvVj2jfNe1fp5LQ9+MX0/OgcxQePhb/YPiurjVb/pqtEv8gu6l3mzx7NhZfVDDzfNqQJJ3bI1U1OPBer
            pzr9ZcHqqPVpLwNuxT3adKZOsrv5XxW53ufMdJ5m79HcfN1+md7eV7PqB/ZVVNQ/6Zzx4u5O2fVm2VNO6tXO320bKtTtkl+wpNcO
            AAAAAAAAAAAAwN+hYkV+4IG6b0tDI4K1VhRIzbUSE/u8knQr/N9aZPsveeUiKV2c+1z7/g8ZdVdaXG2MqzMtU70sqqqlC3qz1duN
            a3LuuFgo+/4q56MQojy+N7ptrs61G+IzSQ63zHKXaSRvLWjt9jii2Cbfdt7aP0Ly8J1l3+zlcwRJHnYZm4qre2RMftNVunwiRqwp
            OKjr0xU1VNIhCF4xNqaaM80qXC4w+udv2jNidEdFhlVOigeTy5TiVOI0925xqPE73lTrmFV81bNXUXaq5Ctn9zCjskbPnI/B7RcO
            eDdfaHJTeRLeVOq3Nt3OLbQnarBB7eKYybzXVaKl6aOyqQPht12mvNZbWKaZFBoUme6oUCUc+kPziNCgO6jVeUFaTdoz8361szWV
            OtNnFC3b/t3jlQbxw4+uP4zo3T1iDwAAAAAAAAAAAAAAAAAAAAAA8E/Ch/fXPzwHAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
            AAAAAAAAAAAAAAAAAAAAAAAAAADwt9OShGysHnH/YHU/4XBQWcLxheHRnSHH1sWntCYp6lcaRZnevbMhuuas911RUVrqyxIfh5gB
            p/mGhwaqY/Nz5sb3pt6XKrhmfHGpc3lU0BvLjsrn+tltN+qN3Ff92avjs6m8dXv526H+DN93pzfEClOOi1MMdftPSy5FTqw+Jdqg
            tF/krR9dnjtLw6Dd3qwrS/2Uk/m6aUMewk8dzclv56vHJFjZpJhXD26bHjz1qfZPKoJr/tuH5K3e3JsR1TlhK3FqXSy56+F7Nefx
            ux2fxzf2mDdGT9Y78Xto3PJzvt0yr+6NpMZrjx4TS/7oElQIfviPwR6Frd2alirxlTtMtnydEv6i8mhGoW5xU8bsk4KirkoTj82m
            taXP9ox6D4sGV567rTnPPbTkzo7bt5JjY9yMe78of3/k4EYAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+Of5H5Yl
            Lnc=
            """),
        ZlibVector(name: "one byte repeated 100000 (overlapping copies)", kind: .zeros, seed: 0, count: 100000, zlibBase64: """
            eNrtwTEBAAAAwqD1T20ND6AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
            AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACAVwOGrwAB
            """),
        ZlibVector(name: "text 4000 small window (wbits 9)", kind: .text, seed: 18, count: 4000, zlibBase64: """
            GJVVj2Fy7KwORP+zCi3A5T3hsRxU10AF8Lic1b+WxHzJq4onNkjd54wUR9hYyhfl2phkrMQ5Rzpqo5E4JOm0MZeFpFCPsi9+r2eU
            uOmzUopvXinSqBQ79Up8yk/ceCS9X+hO8kqWmeLu43TEUp6FXvU6dy8fgKHbvmPZbdy6EHkLop56GQLlC2nxPOnWNv1QTOSxfwHA
            naQES9aontgX8xOM3puMRe+wZEjAkPJPQenmxguyM2XpfbVf7Aaly80uvi8ZTG9uz0rbo396qsuIBF2++jBU7ASHRwiVOtwNL6uO
            Wk5QTt3wSbXbY3s981aGgq6wIifowetvGcl6XYBP+Ykb40yLR4pFuSwSH4M2lvI1k+96nWhK8kqmiwkp/whVKPfjqO+G5lrNUlaq
            B5K4zClA5QcQUK5NIVVyVoGannrpwKjUL4wjKtj2dg3ddZGBQY1QcwfxcymL3wFA79zzoxKMYNGYWlwxa0epIC+FA45KSPHN2mZz
            fMpP3Hgkyo045zhJNdxKuDG96nXuaiE92AFeXdZ/rUSX1zkayx7y1cdqOcDw4yy9rza9UOLmTisZlfttzGUKowPcoUcBhQBwe+za
            sG1O9H3QUZtjJukaxjqpyreVjmq9dqKlv8b6pY612ETQTZbypfgEl1gK66WVqbJSaH5+Pp7nqWU26NQe0DHEOUfaLpTGNyuzkeG7
            18XPDuw9n0BEudlDuTZfD/j4xTVGd5Lu8b06nFrkprvavMf2ehbTe3NDXusfrkqx01GbNpY6KF99eJSqoF5LXFSn+vVK1KPsNGrQ
            AxmeFNw2ll3nVkryqdiYojqSTaxWniRTXFCGtO9LBtsigMXRfdNaVUH7bGxBLTSIT/mJG+PagAz6qVfALYAGJhwHcRvzlAARGiyg
            fRoiWOIb9dPxrte5r9gGMv5KHXTEUp6FXnrjFCui1hncnMBuF+1DCyr22F4PHbX5ug9FMwkarhE6fSd5zVb9RCX4nQ/pNzeg/bH9
            E5biTpxznKa6ozaoXKhXmwnO3BN7HAogtP7Js/qpW4+PhePAQvmT5GmDqbJQ1nLc5dpmrE540y2fzKAssSBsJF60+anXJ1jbbD0/
            q48bLrKldxwGdQO0lBBB7COL0qxz7+ojQJJztgHEH7GUh3qUPWwIYPq+ZGgE5dYJR/kh6U4DthXU+iXlH725PUgZqGzzyERSfPPq
            ig7W9FmsRGHcT73Qzb872oMrpwPlqK5se3p3nq6hw4u1ekDE3Qhmq71SvihOIHhofqjFZ/P1Sn61EMxS3AlXr3qd+wTcLghJnvtu
            AYF6GJsARyNsFECLnZY6x/fYXs8fanMDH7ITz9voEGqyuOvNkJrccJw09x8oGH6iDd3WvFKXVxMxUY0NqrqSgPzqg7aHsvROs6hX
            0nv/yC3cSYDzfcngUOoIT718IEmG2XCdjR2Ijto0EWG2t/EHsewknQ6sPgslbiTDv2i7xsR/c3t83OFz60jgMgcTAnRYtE/K1+yw
            3cX8sMfoNh8FxXSwIwUeVTfzhZX8KLFSpLi7gQJ2jN6xhxTf4MYbkFeqB0BW9wsYWaEddGfBy3BAjGLXLeJ54hB7ZQIqMwaMKjfq
            lW5u/Ou4UlcoxcF1ro0DZtAUfJ9P+Ykbm14sJOX/TjRkYylf1oGghb4vGex9R21BEx3TfpLk1bw3npPbM19wtVAsO8QWvQZcEE+d
            cvnqA2M9QFe9ZoD1Qxh1bqSbRlsPfTeYVT/UEjUKsNDNje0UBB8TEFpJfv6b1aJ4nhiJg556KQBswy0j4ZCp1xWPLa+ezpaN/4um
            BCnUVQKhVhUnKqhoVC3AXnyzgusyepy+LFhYp6D2zXzp4YilPGBF7F2vc1+NdzKpy/clg4lzjloKYWP1OzUwTRl0J3nNnWViY1Yf
            4OaKb/DRSzuo1IXqgX/DuNnuV4+yjdZnL6as2r96lJ26scbujcGW4me+VwKTaMybg1PqbAezPvE8VaMWgrdqxOI/0a6NM5bdUTaW
            8gXJ7J2YGzZ11GahLpOld0/DGSSabaibqtimsznvzY0XL7ptX9NUOD+LcQ37Qg1EBv5ZS0iMKc3S4Ei3jBTUUacOtD8rcLkEZ5ZC
            fMpP3Hgot5R/2JukgzhnJIBDlYr9WL4PxgX5sew6GV0a3+dJWreiLxi8O/Uou78Gt9FFRVRy47OyUheNsJbtMeVeFf2OeJLAy+bQ
            ZUu6bEBaXgrTUy81sPc3t4e8bWiunmmlJizUr1f6H4e9bXU=
            """),
        ZlibVector(name: "random 100 fixed Huffman (literals 144-255: 9-bit codes)", kind: .random, seed: 19, count: 100, zlibBase64: """
            eAEBZACb/0QaQ+/ydUC8OtnG181P2x3drO4vJDIVXVGzTQl5XisV3q/TTdk7t8jT6tCbWt1X9QEx+UH1+RF6wMBiLq8Z05GtrZMI
            OLKcP0IPsV7wZm2Gq5AmsoYdhOdFVBElVl0V7XdbmG8XsDGE
            """),
]

/// A ZIP made with Python's zipfile: hello.txt (stored, "Hello, wheel!\\n"), pkg/data.bin (deflate,
/// text(seed: 21, count: 5000)), pkg/empty (deflate, empty), pkg/random.bin (deflate level 9,
/// randomBytes(seed: 22, count: 700)); archive comment "test archive".
let testZipBase64 = """
        UEsDBBQAAAAAAAAAIQAAwovHDgAAAA4AAAAJAAAAaGVsbG8udHh0SGVsbG8sIHdoZWVsIQpQSwMEFAAAAAgARkR1XZhSCN8lBwAA
        iBMAAAwAAABwa2cvZGF0YS5iaW5dWG2S6ygM/M8pfACX7+RMyJrasak1ZFPe06+6W2DyqmYmHwYhtVotMVuc6rYeU/xN/62PWLdp
        i+OH9Tk9YhyflzU9p/39Y+/w5994XlN+TfkIr3xO+zk91/PnCth55HkqZm9b/43LtFbY3s8FJ1bs+SSzt6dSpn/eqcbwWYstOw5b
        9S5Vj7WrZLoxy9lUtAum7f06T+mYHu+qbbbWHqzH015OvnIT7IYrvxVPqnyCX3ioFb+/NI2w6AVj+8QzwrhCedmDCxHYnjzB3JGr
        MIn7vgb6hfgsEIu1cKUZJSg8Yb/m6ZPfv89A8zToQecz6nQDghsJi/+FMbpcAl6Sg+aWSw7F0ObxcMSA2ekwtsFF2n3EdPw1/eB0
        nmHPGR79T8X3Wx4daAvRgOJb2rgANBcXgfRc6JM9gLuWK37P8Bb5gWOQEaPATLwYcHhcjqkZC7YdqYxnqHmRRzffbD9s2NaFCbWg
        DP+MX+Wb7xHJlhofwcTNAV35MtMDRZOOvxeDAgxM4oWzzszP9mAmaPlwOnW+0zSD4gNiBfpVgc2SsMW0zbUALpDFFq7cu02mY2ms
        kCkrHdQEo++HIIqLzxedsLXEz8rm7Ia5Jb9CBTxIvHFtFlg0ZB+DhRXIfkvIyozKAbh/A26+Gt6iCuNGGAvLZpGnDO7I8GWBGRBS
        zGewDAGprvlbTWzpAtvIt4XRHwQKgrDj5k7YNax0XRwkAKgfGCfJmHiAi3NJArxJlUy5D8YeYJKq3DSceSSzrsRtUQpyIrD9CioS
        WKJ41a9ATHFslZgjoQsqRmbhQXD0BeUv7QH+AGYBznoxGs7EYXMfbJNyqUWsj8PITboQAE+X2SK1s0NCakvoolfubiLlVcAKdFUJ
        PPZO/eJSs1bfj6cNQ0Eg0O24wDONOvbDJdn0GCJiAKAWsYSsCVZVroMwh2TBCBSR2SXGVSx6eOzmgEJ6ETLaL01gHRbgBzWQush4
        6wqRv0DGXbnZwJwIOe3hgebjH40PKFhAdRm5DwuzdrByxDowEt4wHByqZNNBJy5Va3aVNVmhF+u3AksRLvkLSPS9YYG4mVU+0kLq
        81kG5qp3OFsuOSipeBjh2QGTtwOCjT9zq14HfIf+8CvmaXNGP2JDGOmwX69vdzC06iNf6J6DJrFC0oydMIlvzt4AmRYcrq30jfyG
        C4Eh43i8Ceyst/B+JYop6P3Z4ZULqGRqVfUxAKKfg7wkbl0tOD2gJ598wYFgG7LK3laz1xZV3j7xxJ21OequrA6QoPTkzcF62U9v
        +nMbLxSjLzKcOMMIJE0cEvcifWPJt0KchlAMZAE4+8n4diaG8sfFgzHAiigmMwaD2hOFWbXpTQfIPBq3BuGTq3QdaBlqKGtqK9uK
        er6Q6bssAQBER6tRQTrgP7oBjtS+6HULkWH1DXLo4VmaJEENx7mJhEnHTplBB9dZW+vszNfK0WbMEAg5dAkRt1ql2XzC7DvfKfT5
        cOYVoDM7Xj4EwBx6mE+7d/+/a9oAwqo+uKmxuC4MmecfW2w/tMIMiie3npXs00PLO7TH2lAVMPccKoiY6ta2vWfCjtq6hgI451CW
        NjwBM821p8eIKfrRyC6vzFEwC3t5GI9NB8d/0uVnWIwO1RLaOhq7KayrvE4TMPCvtyAwZObNgebujPHCYMWrmdIn4S22UmOWRARq
        6SksP410DBHn+kDVlZRTqdSVN4+WRJdM3j2oC03OQp+YbATz8VzWOKq4QHJUXJ+D6jEvbUyHxGhcAJe1fWh+PnfpI5uLBTQMvavr
        Wm494F3JZryafmslR/GnQjBC86yDlPN47VMfK4ye+lI3OyuB16wugzJEmIQSthCDN3R/bCE4PXAlm5306tc9gxjpO/FKa7hT9xW+
        ywUNsXYkp7Trnlnu3gzwOrWo5D9tVIAk+mVQ/WL980ZbWrFXDXZ4VQM5YrsDlDpcDr2PjQ1dh2P6Oe8RFpkFTE0WOZGfjiOy6vNM
        q6VQJabyJr/Uj+G9hiuN9kD1qyMet9IzD5bZuU9yRVel0Ifrld8RJhLZp1Gl0gDAIFT6HKcbztKGGcWltKTappcvsSZWA10xBPTs
        6lp2KDi/t8z6FpciO18StDDQTy8tNQzelEnwqsmkjRYHkyiKUq9a2WFsoxEw82hzl8MuUXsOzcn2tit0O5n/UjhpWyNKdPVMfors
        iFrJCC5wrOruEbj9x2JowCiRS/N9KPf9nPdvpSUPXVkF5LML5mXo5P1YJyVeYfbznoXSISrjDpc0rTOZwFZzUhtUQAsOXcCDCOCD
        GlS5N/m/KYq0jHnihFPagP6I99wp24+rqwQPQNTs5Aza+94Xo+U4L5jwpt+nPro+DhOJz229Tts/MdgS0iBPNLBIkFPdWk/wy9Fw
        2cE/IlxlyBveh9sMbnWcNJaCJ7jasfiYM2x6NLXUZMmm6ErAewCk0GsCFya/CcT/AVBLAwQUAAAACABGRHVdAAAAAAIAAAAAAAAA
        CQAAAHBrZy9lbXB0eQMAUEsDBBQAAAAIAEZEdV3N2WjIwQIAALwCAAAOAAAAcGtnL3JhbmRvbS5iaW4BvAJD/QoO1tT54A3ITkZ9
        NvuDme8zKArtHLWYE0Lqpeb/SSWsVjkOsi2HJdXs+Ez+l8qOyTykmU6m2opIjBK+W21AmZsF8F5nV1Z+tUS/gMIJ5y7/p1ea51tv
        EmSB2ECFPUoZrhiaueA9VFGN1qolub/DKsav+VQZeqieGM7TE3CVebgrAlAN69uODh0HWcf5Yme4NNd0vpyhsgHZ6IktYhGEKQhN
        nx0oAz1U4fIbGRl/vx7+mgQiVuE1stuLMjQ19uhTmk5gLQUeZ9Ks7YubsiJ56ESrOYXD1AUv0ynTyNwi6lo/X4W2nU2jobuNvnjk
        GW2iIkakDOoCT++K8YHKw13Vf1GXvQr1q+t9l4G2RbMPBETUR32eYvAjoM9HVPhoHK1kS8BEIoA32M3mvgY4exXxYa3U06FlxCT8
        p372jphfkflff0EqlqqxmnXTE0dgJPzaHssGD24T7Kwn1lVaIvyhTuDwt2GYYt2kMBgpC+BeFo/XwN2+2YZ3hMzy079q9OQuGlnz
        UuryB6twbTQoAqmZZe+8+25dJxVRP7TtT8h3uiP/Qa2yvWW8AKpT5gD1HkZHV4ADALDtbHDHmDkO8EL7VlfiH10qyk3ak5Q9gwnn
        I/vUntygY9tqoIRxWH6WJro+9BdtmKLVw9RhBDB/a4x2nyaYuyErjQcSlojo0Mum22L6lukf/29EJBPsa/NfRtlrPUqOT8Jfs7Jt
        lsG2rK5+uZRnYW/nMCuQMaD6XL7Xne3Q6XhvAqaiI00DaAVu/WCo4LbsueLK23gRyloyohFA1XoWdw5awv+vCfUP2RqpWpDr2Y3+
        xwQVbR2EzzVf8IxyT6MvHtY5aNNrjuUt1xhH2JwR8a4wwZBvT6OMieN+1LIjehTqObY+loWLQYhTOzlCxmWG6+RuzgfGy547va3F
        9pSIu5LqFNZC9qmfICZQSwECFAMUAAAAAAAAACEAAMKLxw4AAAAOAAAACQAAAAAAAAAAAAAAgAEAAAAAaGVsbG8udHh0UEsBAhQD
        FAAAAAgARkR1XZhSCN8lBwAAiBMAAAwAAAAAAAAAAAAAAIABNQAAAHBrZy9kYXRhLmJpblBLAQIUAxQAAAAIAEZEdV0AAAAAAgAA
        AAAAAAAJAAAAAAAAAAAAAACAAYQHAABwa2cvZW1wdHlQSwECFAMUAAAACABGRHVdzdloyMECAAC8AgAADgAAAAAAAAAAAAAAgAGt
        BwAAcGtnL3JhbmRvbS5iaW5QSwUGAAAAAAQABADkAAAAmgoAAAwAdGVzdCBhcmNoaXZl
    """

/* The generator (python3 gen.py > out.txt):

import zlib, hashlib, base64, io, zipfile
M=(1<<64)-1
class SplitMix:
    def __init__(s,seed): s.x=seed&M
    def next(s):
        s.x=(s.x+0x9E3779B97F4A7C15)&M
        z=s.x
        z=((z^(z>>30))*0xBF58476D1CE4E5B9)&M
        z=((z^(z>>27))*0x94D049BB133111EB)&M
        return z^(z>>31)
def rbytes(seed,n):
    r=SplitMix(seed); out=bytearray()
    while len(out)<n: out+=r.next().to_bytes(8,'little')
    return bytes(out[:n])
WORDS="the of and to a in was her it she that not you he his be as had with for but is have at by on him my so all which could been would no very said were mr mrs miss elizabeth emma anne darcy fanny quite must being such much think more than".split()
def text(seed,n):
    r=SplitMix(seed); out=bytearray()
    while len(out)<n:
        v=r.next()
        w=WORDS[v%len(WORDS)]
        out+=w.encode()
        k=(v>>32)%16
        out+=b"\n" if k==0 else (b", " if k==1 else (b". " if k==2 else b" "))
    return bytes(out[:n])
def farrep(seed,n):
    # four 300-byte random chunks separated by runs of one letter (0..33000 long): matches reach back
    # up to the 32 KiB window limit
    r=SplitMix(seed); chunks=[rbytes(seed*100+i,300) for i in range(4)]; out=bytearray(); k=0
    while len(out)<n:
        out+=chunks[r.next()%4]
        out+=bytes([0x41+k%26])*(r.next()%33000); k+=1
    return bytes(out[:n])

# SHA vectors
lens=[0,1,2,3,31,32,54,55,56,57,63,64,65,100,111,112,119,120,127,128,129,191,192,193,255,256,257,1000,4095,4096,4097,65535,65536,65537,100003]
print("// SHA: (length, sha256 of randomBytes(seed: length + 1, count: length))")
for n in lens:
    print(f'        ({n}, "{hashlib.sha256(rbytes(n+1,n)).hexdigest()}"),')

def c(data,level=6,strategy=zlib.Z_DEFAULT_STRATEGY,wbits=15,flushes=None,memlevel=8):
    co=zlib.compressobj(level,zlib.DEFLATED,wbits,memlevel,strategy)
    if flushes:
        out=b""; prev=0
        for pos,mode in flushes:
            out+=co.compress(data[prev:pos]); out+=co.flush(mode); prev=pos
        out+=co.compress(data[prev:]); out+=co.flush(); return out
    return co.compress(data)+co.flush()
cases=[]
cases.append(("empty level 6", "random", 1, 0, c(b"")))
cases.append(("random 1500 level 0 (stored)", "random", 7, 1500, c(rbytes(7,1500),0)))
cases.append(("random 1500 level 9", "random", 7, 1500, c(rbytes(7,1500),9)))
for lvl in (1,6,9):
    cases.append((f"text 8000 level {lvl}", "text", 11, 8000, c(text(11,8000),lvl)))
cases.append(("text 8000 fixed Huffman", "text", 12, 8000, c(text(12,8000),6,zlib.Z_FIXED)))
cases.append(("text 5000 Huffman only", "text", 13, 5000, c(text(13,5000),6,zlib.Z_HUFFMAN_ONLY)))
cases.append(("text 5000 RLE", "text", 14, 5000, c(text(14,5000),6,zlib.Z_RLE)))
cases.append(("text 40000 level 6 (several dynamic blocks)", "text", 15, 40000, c(text(15,40000),6,memlevel=1)))
cases.append(("text 12000 with sync and full flushes", "text", 16, 12000, c(text(16,12000),6,flushes=[(1000,zlib.Z_SYNC_FLUSH),(1000,zlib.Z_SYNC_FLUSH),(5000,zlib.Z_FULL_FLUSH),(9000,zlib.Z_SYNC_FLUSH)])))
cases.append(("far repeats 200000 level 9 (distances to 32 KiB)", "far", 17, 200000, c(farrep(17,200000),9)))
cases.append(("one byte repeated 100000 (overlapping copies)", "zeros", 0, 100000, c(bytes(100000),9)))
cases.append(("text 4000 small window (wbits 9)", "text", 18, 4000, c(text(18,4000),6,wbits=9)))
cases.append(("random 100 fixed Huffman (literals 144-255: 9-bit codes)", "random", 19, 100, c(rbytes(19,100),6,zlib.Z_FIXED)))
tot=0
print("// INFLATE")
for name,kind,seed,n,comp in cases:
    tot+=len(comp)
    b=base64.b64encode(comp).decode()
    lines=[b[i:i+100] for i in range(0,len(b),100)] or [""]
    body="\n".join("            "+l for l in lines)
    print(f'        ZlibVector(name: "{name}", kind: .{kind}, seed: {seed}, count: {n}, zlibBase64: """\n{body}\n            """),')
import sys; print("total compressed",tot,file=sys.stderr)
# ZIP
buf=io.BytesIO()
with zipfile.ZipFile(buf,"w") as z:
    z.writestr(zipfile.ZipInfo("hello.txt"), b"Hello, wheel!\n", compress_type=zipfile.ZIP_STORED)
    z.writestr("pkg/data.bin", text(21,5000), compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("pkg/empty", b"", compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("pkg/random.bin", rbytes(22,700), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    z.comment=b"test archive"
zb=buf.getvalue()
b=base64.b64encode(zb).decode()
print("// ZIP", len(zb))
print('\n'.join("        "+b[i:i+100] for i in range(0,len(b),100)))
*/
