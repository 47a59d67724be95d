/* placeholder until the stage's first source lands; delete it then */
typedef int cn_decode_placeholder;
